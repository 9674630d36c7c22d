"""Translation overrides: whatever a merchant types, check() names its problems or takes it, and a
text it takes renders with the source string's own values, at a bounded size."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from portal.i18n import overrides
from portal.settings import PROJECT_ROOT

# The strings with placeholders: the ones an override can break when it is rendered.
SOURCES = [source for source in overrides.sources(PROJECT_ROOT / "locales") if "%(" in source.msgid]


def names(source: overrides.Source) -> list[str]:
    return sorted(set(re.findall(r"%\((\w+)\)", source.msgid + (source.plural or ""))))


@st.composite
def override_texts(draw, source: overrides.Source) -> str:
    placeholder = st.sampled_from(names(source)).flatmap(lambda name: st.sampled_from([
        f"%({name})s", f"%({name})d", f"%({name})2000000s", f"%({name})-9s", f"%({name}).1s", f"%({name})r"]))
    pieces = st.one_of(placeholder, st.sampled_from(["%s", "%%", "%", "%(", "%(other)s", "<b>", "Order ", "\x00"]),
                       st.text(max_size=6))
    return "".join(draw(st.lists(pieces, max_size=8)))


@given(st.data())
def test_an_accepted_override_renders(data):
    source = data.draw(st.sampled_from(SOURCES))
    text = data.draw(override_texts(source))
    forms = (text,) * (overrides.plural_count("de") if source.plural is not None else 1)
    if overrides.check(overrides.Entry(source, forms), "de"):
        return
    # Values of the source's own kinds, no longer than the shortest placeholder ("%(n)s"): a text
    # may not grow when rendered.
    source_text = source.msgid + (source.plural or "")
    values = {name: 7 if f"%({name})d" in source_text else "#1001" for name in names(source)}
    assert len(text % values) <= len(text)
