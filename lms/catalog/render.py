"""Lesson Markdown to safe HTML: CommonMark, raw HTML shown as text, restricted links and images."""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from lms.catalog.content import IMAGE_NAME_RE, is_safe_href


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = lambda url: is_safe_href(url.strip())  # type: ignore[method-assign]
    return md


_MD = _parser()


def render_lesson(text: str, images: set[str], image_url: Callable[[str], str]) -> Markup:
    """Render a lesson; images only from the course's images/, links only http(s) or relative."""
    tokens = _MD.parse(text)
    for token in tokens:
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type == "image":
                src = str(child.attrs.get("src", ""))
                name = src[len("images/") :] if src.startswith("images/") else ""
                if IMAGE_NAME_RE.match(name) and name in images:
                    child.attrs["src"] = image_url(name)
                    child.attrs["loading"] = "lazy"
                else:
                    # Not one of the course's images: keep only its description, as text.
                    child.type = "text"
                    child.tag = ""
                    child.content = "".join(c.content for c in child.children or [])
                    child.children = None
                    child.attrs = {}
            elif child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if href.lower().startswith(("http://", "https://")):
                    child.attrs["rel"] = "noopener noreferrer external"
    html = _MD.renderer.render(tokens, _MD.options, {})
    return Markup(html)  # noqa: S704 (markdown-it escapes text; raw HTML is disabled)


def plain(text: str) -> Markup:
    return escape(text)
