"""The top navigation at tablet and desktop widths: its links wrap in a few rows across the
bar, not one link per line in the gap between the brand and the signed-in user (eleven
links stacked in a tall column at 700-1000 px), and the bar never scrolls sideways."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The rows the navigation's links stand on (their distinct tops), and the widest link count
# in a row.
NAV_ROWS = """() => {
  const rows = new Map();
  for (const link of document.querySelectorAll("#mainnav a")) {
    const top = Math.round(link.getBoundingClientRect().top);
    rows.set(top, (rows.get(top) || 0) + 1);
  }
  return {rows: rows.size, links: document.querySelectorAll("#mainnav a").length};
}"""


@pytest.mark.parametrize("username", ["nurse", "admin"])
@pytest.mark.parametrize("width", [720, 1024, 1280])
def test_nav_links_wrap_in_rows_across_the_bar(
    page, live_server, login, screenshot, nurse, admin_user, username, width
):
    login(username)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/")

    nav = page.evaluate(NAV_ROWS)
    assert nav["links"] >= 9  # noqa: PLR2004 - the roles with the most links
    # About four links a row at the narrowest width, never one a row.
    assert nav["rows"] <= max(2, -(-nav["links"] // 4)), nav
    assert page.locator("#mainnav").bounding_box()["width"] >= min(576, width - 80)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"nav-{username}-{width}")
