"""Every class a template uses is defined by the stylesheet that template reads.

The pages read functions/static/app.css; the local mailbox (templates/dev) carries its own
<style>; the emails carry no class at all (a mail client drops stylesheets: their styles are
inline). A class built with a Jinja expression (``tag-{{ view.status }}``) needs at least one
rule for its fixed prefix (``.tag-...``); a class that is only an expression is not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "functions" / "templates"
STYLESHEET = TEMPLATES.parent / "static" / "app.css"
EXPRESSION = "\0"

CLASS_ATTRIBUTE = re.compile(r"""\bclass=(?:"([^"]*)"|'([^']*)')""")
STATEMENT = re.compile(r"\{%.*?%\}", re.S)
OUTPUT = re.compile(r"\{\{.*?\}\}", re.S)
COMMENT = re.compile(r"/\*.*?\*/", re.S)
SELECTORS = re.compile(r"([^{}]+)\{")
CLASS_SELECTOR = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


def classes_in_template(text: str) -> set[str]:
    """The class names a template writes; an expression inside a name becomes EXPRESSION.

    ``{% if %} extra{% endif %}`` counts ``extra``: a statement is a space, what it guards stays.
    """
    found: set[str] = set()
    for double, single in CLASS_ATTRIBUTE.findall(text):
        value = OUTPUT.sub(EXPRESSION, STATEMENT.sub(" ", double or single))
        found.update(value.split())
    return found


def classes_in_css(css: str) -> set[str]:
    """The class names the stylesheet's selectors mention (never its declarations)."""
    selectors = SELECTORS.findall(COMMENT.sub("", css))
    return {name for selector in selectors for name in CLASS_SELECTOR.findall(selector)}


def missing(used: set[str], defined: set[str]) -> list[str]:
    absent = []
    for name in sorted(used):
        prefix = name.split(EXPRESSION, 1)[0]
        if name == prefix:
            if name not in defined:
                absent.append(name)
        elif prefix and not any(d.startswith(prefix) for d in defined):
            absent.append(name.replace(EXPRESSION, "{{ ... }}"))
    return absent


def templates(folder: str) -> list[Path]:
    return sorted((TEMPLATES / folder).rglob("*.html"))


def test_the_parsers_read_jinja_and_selectors() -> None:
    html = (
        '<p class="tag tag-{{ view.status }}"><b class="a{% if x %} b-c{% endif %}">'
        "<i class='{{ only }}'><u class=\"{% if y == 'z' %}d{% endif %}\">"
    )
    assert classes_in_template(html) == {"tag", f"tag-{EXPRESSION}", "a", "b-c", EXPRESSION, "d"}
    css = "/* .not-me */ .a, p.b:hover > .c { margin: .5em; }\n@media (x) { .d { top: 1.5rem; } }"
    assert classes_in_css(css) == {"a", "b", "c", "d"}
    used = {"a", "zz", f"tag-{EXPRESSION}", f"q-{EXPRESSION}", EXPRESSION}
    assert missing(used, {"a", "tag-x"}) == ["q-{{ ... }}", "zz"]


@pytest.mark.parametrize("template", templates("pages"), ids=lambda p: p.name)
def test_a_page_uses_only_classes_of_the_stylesheet(template: Path) -> None:
    defined = classes_in_css(STYLESHEET.read_text(encoding="utf-8"))
    used = classes_in_template(template.read_text(encoding="utf-8"))
    assert missing(used, defined) == [], f"{template.name}: classes that app.css lacks"


@pytest.mark.parametrize("template", templates("dev"), ids=lambda p: p.name)
def test_a_page_with_its_own_style_uses_only_its_classes(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    defined = classes_in_css("".join(STYLE_ELEMENT.findall(text)))
    assert missing(classes_in_template(text), defined) == [], template.name


@pytest.mark.parametrize("template", templates("emails"), ids=lambda p: p.name)
def test_an_email_carries_no_class(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert "stylesheet" not in text
    assert classes_in_template(text) == set(), f"{template.name}: mail clients drop stylesheets"
