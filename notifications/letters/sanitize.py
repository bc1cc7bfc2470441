"""Letter HTML reduced to what letters use (issue 12, item 2), with nh3 (the maintained
binding to the Rust sanitizer ammonia).

Templates are sanitized when saved; the rendered body is sanitized again before it is
printed, because a template can still produce markup at render time (a string literal
marked `|safe`). Letters carry text, headings, lists and tables with classes from
letter.css, and no link, image, frame, form, script or style of their own: what a letter
prints comes from the layout and letter.css.
"""

import re

import nh3

TAGS = frozenset(
    {
        "p", "br", "div", "span", "strong", "em", "b", "i", "u", "small", "sub", "sup", "hr", "blockquote",
        "h2", "h3", "h4", "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {"*": {"class"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}

# Django template tags and variables, kept out of the sanitizer's hands: each becomes an
# HTML comment while the markup is cleaned, because an HTML parser moves text found
# between table rows ("{% for s in services %}<tr>") out of the table, but leaves
# comments where they are; and the tags' own text ("a & b") stays as written.
_TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
_PLACEHOLDER = re.compile(r"<!--um-tpl-(\d+)-->|&lt;!--um-tpl-(\d+)--&gt;")


def letter_html_sanitize(markup: str, *, template: bool = False) -> str:
    """`markup` with only the letters' tags and attributes. `template=True` keeps Django
    template syntax intact (a template body on save)."""
    tags: list[str] = []
    if template:

        def hide(match: re.Match) -> str:
            tags.append(match.group(0))
            return f"<!--um-tpl-{len(tags) - 1}-->"

        markup = _TEMPLATE_TAG.sub(hide, markup)
    clean = nh3.clean(
        markup,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(),
        link_rel=None,
        strip_comments=not template,
    )
    if not template:
        return clean

    def show(match: re.Match) -> str:
        index = int(match.group(1) or match.group(2))
        return tags[index] if index < len(tags) else ""

    # Comments the author wrote are dropped; only the placeholders come back.
    without_comments = re.sub(r"<!--(?!um-tpl-\d+-->).*?-->", "", clean, flags=re.S)
    return _PLACEHOLDER.sub(show, without_comments)
