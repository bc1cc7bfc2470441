"""Tables keep their words whole at desktop and tablet widths: the work queue's headers and
cells were squeezed to "Urgen cy", "Assigne d to" and "Stand ard" (main's
`overflow-wrap: anywhere`), and must still not scroll the page sideways."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each word of each cell of the queue table that the browser laid out over more than one
# line (a Range over the word has one box per line it stands on). A hyphen is a place to
# break, as in print: "UM-2026-" and "000001" may stand on two lines, "Urgen" and "cy" not.
SPLIT_WORDS = """() => {
  const split = [];
  for (const cell of document.querySelectorAll("#queue th, #queue td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s-]+-?/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("width", [720, 1024, 1280])
def test_queue_words_stay_whole_and_the_page_does_not_scroll_sideways(
    page, live_server, login, screenshot, make_case, nurse, width
):
    for _ in range(3):
        make_case()
    login("nurse")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/reviews/queue/")

    assert page.locator("#queue td").count() > 0
    assert page.evaluate(SPLIT_WORDS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"reviews-queue-{width}")
