"""Themes: discovery and the per-theme Jinja environments, settings schema, palettes and contrast,
generated CSS, custom CSS filter, images, publishing."""
