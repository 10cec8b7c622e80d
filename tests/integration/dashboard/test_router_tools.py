"""The link builder (merge tags, UTM encoding, an escaped button snippet) and the dry run
(the decision and its trace; nothing recorded)."""

from __future__ import annotations

import html
import re

from leadrail.app.route import route_prospect
from leadrail.web.routes.pages.dashboard.routers.tools import button_snippet, router_link
from tests.integration.dashboard import router_support as support
from tests.integration.dashboard.router_support import Dash

dash = support.dash
rep_dash = support.rep_dash

LINKS = "/dashboard/routers/inbound/links"
TEST = "/dashboard/routers/inbound/test"


def code(page: str, ident: str) -> str:
    found = re.search(rf'<code id="{ident}"[^>]*>(.*?)</code>', page, re.S)
    assert found, ident
    return html.unescape(found.group(1))


def test_links_with_merge_tags_for_each_tool(dash: Dash) -> None:
    page = dash.client.get(LINKS).text
    assert code(page, "link-plain") == "https://book.acme.test/c/inbound"
    assert code(page, "link-hubspot") == (
        "https://book.acme.test/c/inbound?name={{ contact.firstname }}"
        "&email={{ contact.email }}&company={{ contact.company }}"
    )
    assert "email={{email}}" in code(page, "link-outreach")
    assert "email={{email_address}}" in code(page, "link-salesloft")
    assert "name={{lead.First Name}}" in code(page, "link-marketo")
    assert 'data-copy="#link-marketo"' in page
    assert 'data-copy="#snippet"' in page


def test_utm_values_are_url_encoded_and_the_snippet_escaped(dash: Dash) -> None:
    params = {"utm_source": "news letter", "utm_campaign": 'q3 & "more" <b>',
              "utm_medium": "e-mail", "label": "<img src=x onerror=alert(1)> Book"}  # fmt: skip
    page = dash.client.get(LINKS, params=params).text
    link = code(page, "link-plain")
    assert link == ("https://book.acme.test/c/inbound?utm_source=news%20letter"
                    "&utm_medium=e-mail&utm_campaign=q3%20%26%20%22more%22%20%3Cb%3E")  # fmt: skip
    assert code(page, "link-hubspot").endswith("&utm_campaign=q3%20%26%20%22more%22%20%3Cb%3E")
    snippet = html.unescape(re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>',
                                      page, re.S).group(1))  # fmt: skip
    assert snippet.startswith(f'<a href="{link.replace("&", "&amp;")}" style=')
    assert snippet.endswith(">&lt;img src=x onerror=alert(1)&gt; Book</a>")
    assert "<img src=x" not in page  # nothing typed reaches the page unescaped
    assert 'value="q3 &amp; &#34;more&#34; &lt;b&gt;"' in page  # the fields keep the input


def test_link_helpers() -> None:
    assert router_link("https://x.test/", "s", {}, {"utm_term": "a/b?c=d"}) == (
        "https://x.test/c/s?utm_term=a%2Fb%3Fc%3Dd"
    )
    assert button_snippet("https://x.test/c/s?a=1&b=2", 'Say "hi"') == (
        '<a href="https://x.test/c/s?a=1&amp;b=2" style="'
        + re.search(r'style="([^"]*)"', button_snippet("u", "l")).group(1)
        + '">Say &quot;hi&quot;</a>'
    )


def test_dry_run_shows_the_decision_and_trace_and_records_nothing(dash: Dash) -> None:
    page = dash.client.get(TEST).text
    assert 'name="email"' in page
    assert 'name="utm_source"' in page
    r = dash.post(TEST, {"email": "dana@bigco.test", "name": "Dana", "country": "fr",
                         "extra": "plan=pro\n\nsegment = smb", "utm_source": "ads"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert '<strong id="matched-rule">Big accounts</strong>' in r.text
    assert '<strong class="assignee">rep1@acme.test</strong>' in r.text
    assert "target-accounts" in r.text  # the trace explains the match
    assert r.text.count('<li><span class="pill') >= 2
    assert 'value="dana@bigco.test"' in r.text
    assert "segment = smb" in r.text
    r = dash.post(TEST, {"email": "lea@small.test", "country": "fr"})
    assert '<strong id="matched-rule">France</strong>' in r.text
    r = dash.post(TEST, {"email": "x@nowhere.test"})
    assert '<strong id="matched-rule">default</strong>' in r.text
    assert list(dash.c.ledger.decisions("inbound", None, 100)) == []  # the ledger stays empty
    route_prospect(dash.c.routing, "inbound", {"email": "z@z.test"}, dash.c.clock.now())
    assert len(list(dash.c.ledger.decisions("inbound", None, 100))) == 1  # (a real one shows)


def test_dry_run_bad_input_is_marked(dash: Dash) -> None:
    r = dash.post(TEST, {"email": "not-an-email", "name": "<i>Pat</i>"})
    assert r.status_code == 422
    assert re.search(r'name="email" type="text" value="not-an-email" aria-invalid="true"', r.text)
    assert "&lt;i&gt;Pat&lt;/i&gt;" in r.text
    assert "<i>Pat" not in r.text
    r = dash.post(TEST, {"email": "a@b.test", "extra": "just words"})
    assert r.status_code == 422
    assert re.search(r'<textarea id="f-extra" name="extra" rows="3" aria-invalid="true"', r.text)
    assert "line 1: write one field a line" in r.text
    r = dash.post(TEST, {"email": "a@b.test", "extra": "bad key!=1"})
    assert r.status_code == 422
    assert "bad key!" in r.text


def test_dry_run_needs_csrf_and_an_admin(dash: Dash) -> None:
    r = dash.client.post(TEST, data={"email": "a@b.test"})
    assert r.status_code == 403


def test_a_rep_cannot_dry_run(rep_dash: Dash) -> None:
    assert rep_dash.post(TEST, {"email": "a@b.test"}).status_code == 403
    assert rep_dash.client.get(LINKS).status_code == 403
