"""Themes: settings schema, palettes and contrast, generated CSS, custom CSS filter, images, publishing."""
