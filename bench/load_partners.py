"""Benchmark: partners saving and submitting their delivery updates at the same time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python -m bench.load_partners [--partners 20] [--saves 10] [--keepdb]

Fills the database ``<name>_partners`` with the demo, whose 2020-21 Q4 round is open: six
organisations (the police and the five partnerships) owe an update for each of the four sections.
It gives ``--partners`` partner users (bench-partner-01, ...) one obligation each, so several
partners share an organisation but each writes an update of their own, and removes what an
earlier run left.

Then it serves the app as production does (bench/serving.py: gunicorn, 2 × CPUs + 1 workers,
DEBUG off, PostgreSQL, a Celery worker on the Redis broker for the e-mails a submission sends) and
runs every partner at once, each in a thread, through real HTTP with cookies and CSRF tokens read
from the forms, as a browser without JavaScript would: sign in; open the new-update form and save
(the first save); ``--saves`` - 1 times open the edit form and save new text; preview; submit.
After each save or submit the client follows the redirect, as a browser does.

It checks that every request got the answer a browser expects (a redirect after each POST, a 200
page after each GET) and, in the database afterwards, that nothing was lost: each partner has
exactly one update, holding the text and KPI value of their last save, submitted once, at the
version their saves and submit give; and that every submission's e-mail job ran. Records
requests/s and p50/p99 per action in bench/RESULTS.md under "## Partners under load".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from bench import common, serving

HEADING = "## Partners under load"
SIGN_IN_ACTIONS = ("sign-in pages", "sign in")
# A browser waits far longer than wrk's 2 s; a partner's request slower than this is an error.
TIMEOUT_SECONDS = 30
PASSWORD = "bench-partner-password"
FILLER = (
    "Joint patrols with the neighbourhood team continued on Thursday and Friday nights, and the "
    "**Safer Streets** work moved on to its design stage.\n\n"
    "- Residents' walkabouts took place in two wards.\n"
    "- Referrals to the service rose compared with the last quarter.\n"
)

PARTNERS = """
import json
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from delivery.models import DeliveryUpdate, Round
from organisations import roles
from organisations.models import Membership

count = {count}
User = get_user_model()
obligations = list(
    Round.objects.open().get().obligations.select_related("organisation", "priority")
    .order_by("priority__order", "organisation__name")
)
if count > len(obligations):
    raise SystemExit(f"The open round has {{len(obligations)}} obligations: at most that many partners")
# A clean start: the updates an earlier run left, and its users beyond this run's number.
DeliveryUpdate.objects.filter(created_by__username__startswith="bench-partner-").delete()
User.objects.filter(username__startswith="bench-partner-").delete()
password = make_password({password!r})  # hashed once: twenty hashes would only slow the setup
group = Group.objects.get(name=roles.PARTNER)
partners = []
for number, obligation in enumerate(obligations[:count], start=1):
    user = User.objects.create(
        username=f"bench-partner-{{number:02d}}", first_name="Bench", last_name=f"Partner {{number}}",
        email=f"bench-partner-{{number:02d}}@example.org", password=password,
    )
    user.groups.set([group])
    Membership.objects.create(user=user, organisation=obligation.organisation)
    partners.append({{"username": user.username, "section": obligation.priority.slug,
                      "organisation": obligation.organisation.name}})
print(json.dumps(partners))
"""

OUTCOME = """
import json
import django
django.setup()
from delivery.models import DeliveryUpdate, Transition
from jobs.models import Job

updates = {}
for update in DeliveryUpdate.objects.filter(created_by__username__startswith="bench-partner-").prefetch_related("kpis", "transitions").select_related("created_by"):
    updates.setdefault(update.created_by.username, []).append({
        "body": update.body, "status": update.status, "version": update.version,
        "kpis": [kpi.q1 for kpi in update.kpis.all()],
        "submissions": sum(1 for t in update.transitions.all() if t.action == Transition.Action.SUBMITTED),
        "transitions": [t.pk for t in update.transitions.all() if t.action == Transition.Action.SUBMITTED],
    })
transitions = [pk for found in updates.values() for update in found for pk in update["transitions"]]
jobs = {}
for job in Job.objects.filter(kind="delivery-email"):
    if job.arguments.get("transition_id") in transitions:
        jobs[job.state] = jobs.get(job.state, 0) + 1
print(json.dumps({"updates": updates, "jobs": jobs}))
"""


class FormReader(HTMLParser):
    """The forms of a page, with the values a browser would send (unchecked boxes left out)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields.append([name, attrs.get("value") or ""])
        elif tag == "textarea" and name:
            fields.append([name, ""])
            self._textarea = name
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            fields.append([self._select, attrs.get("value") or ""])

    def handle_data(self, data):
        if self._textarea is not None:
            self.forms[-1]["fields"][-1][1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_on(page: str, *, having: str = "", action: str = "") -> dict[str, str]:
    """The fields of the page's form that has a field named ``having`` or an action containing ``action``."""
    reader = FormReader()
    reader.feed(page)
    for form in reader.forms:
        names = {name for name, _ in form["fields"]}
        if (having and having in names) or (action and action in form["action"]):
            return dict(form["fields"])
    raise Unexpected(f"no form with {having or action} on the page")


class Unexpected(Exception):
    """An answer a browser would not expect: the partner's run stops and it counts as an error."""


@dataclass
class Partner:
    username: str
    section: str
    organisation: str
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    error: str = ""
    last_body: str = ""
    cookies: dict[str, str] = field(default_factory=dict)


class Browser:
    """One partner's cookies and requests over plain HTTP (gunicorn closes each connection)."""

    def __init__(self, base: str, partner: Partner):
        parts = urlsplit(base)
        self.host, self.port, self.partner = parts.hostname, parts.port, partner

    def request(self, action: str, method: str, path: str, fields: dict | None = None,
                expect: int = 200) -> tuple[str, str]:
        """(body, Location) of the answer; an unexpected status raises Unexpected."""
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.partner.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.partner.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        self.partner.timings[action].append((time.perf_counter() - started) * 1000)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.partner.cookies.pop(name, None)
                else:
                    self.partner.cookies[name] = morsel.value
        if response.status != expect:
            raise Unexpected(f"{action}: {method} {path} answered {response.status}, not {expect}")
        return content, response.headers.get("Location", "")

    def post_and_follow(self, action: str, path: str, fields: dict, next_page: str) -> str:
        """POST, expect a redirect, and GET where it leads (as a browser does)."""
        _, location = self.request(action, "POST", path, fields, expect=302)
        target = urlsplit(location).path
        self.request(next_page, "GET", target)
        return target


def run_partner(base: str, partner: Partner, saves: int, signed_in: threading.Barrier) -> None:
    """Sign in with the others; once all have, save ``saves`` times and submit."""
    browser = Browser(base, partner)
    try:
        page, _ = browser.request("sign-in pages", "GET", "/sign-in/")
        fields = form_on(page, having="username")
        fields.update(username=partner.username, password=PASSWORD)
        browser.post_and_follow("sign in", "/sign-in/", fields, "sign-in pages")
    except (Unexpected, OSError) as error:
        partner.error = f"{partner.username}: {error}"
    signed_in.wait()
    if partner.error:
        return
    try:
        path = f"/partners/updates/new/{partner.section}/"
        for number in range(1, saves + 1):
            page, _ = browser.request("open a page", "GET", path)
            fields = form_on(page, having="title")
            text = f"Save {number} of {saves} by {partner.username}.\n\n{FILLER}"
            fields.update({
                "title": f"Bench update by {partner.username}", "body": text,
                "kpis-0-label": "Residents taking part", "kpis-0-q1": str(number),
            })
            target = browser.post_and_follow("save", path, fields, "open a page")
            partner.last_body = text
            update = re.fullmatch(r"/partners/updates/(\d+)/", target)
            if update is None:
                raise Unexpected(f"save went to {target}, not the update's page")
            path = f"/partners/updates/{update.group(1)}/edit/"
        pk = update.group(1)
        page, _ = browser.request("open a page", "GET", f"/partners/updates/{pk}/preview/")
        fields = form_on(page, action="/submit/")
        browser.post_and_follow("submit", f"/partners/updates/{pk}/submit/", fields, "open a page")
    except (Unexpected, OSError) as error:
        partner.error = f"{partner.username}: {error}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def check(partners: list[Partner], outcome: dict, saves: int) -> list[str]:
    """Every way a partner's work could have been lost or doubled, as sentences (none: all well)."""
    problems = []
    for partner in partners:
        found = outcome["updates"].get(partner.username, [])
        if len(found) != 1:
            problems.append(f"{partner.username} has {len(found)} updates, not 1")
            continue
        update = found[0]
        # Save 1 creates version 1, each further save adds one, and the submission one more.
        expected = {
            "body": partner.last_body.strip(), "status": "submitted", "version": saves + 1,
            "kpis": [str(saves)], "submissions": 1,
        }
        for key, value in expected.items():
            if update[key] != value:
                problems.append(f"{partner.username}: {key} is {update[key]!r}, not {value!r}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keepdb", action="store_true", help="reuse a database that holds the demo")
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--saves", type=int, default=10, help="saves per partner before submitting")
    parser.add_argument("--workers", type=int, default=serving.default_workers(),
                        help="gunicorn workers (default 2 × CPUs + 1)")
    parser.add_argument("--no-record", action="store_true", help="print, do not write RESULTS.md")
    options = parser.parse_args()
    if options.saves < 1 or options.partners < 1:
        parser.error("--partners and --saves must be at least 1")

    url = common.database_url("_partners")
    common.ensure_database(url)
    with serving.production_site(url, media="bench-partners", broker=serving.broker_url()) as site:
        site.load_demo(keep=options.keepdb)
        partners = [
            Partner(**found)
            for found in json.loads(site.run(PARTNERS.format(count=options.partners, password=PASSWORD)))
        ]
        organisations = len({partner.organisation for partner in partners})
        with site.worker():
            server = site.serve(options.workers)
            try:
                base = server.url("")
                print(f"{len(partners)} partners in {organisations} organisations, {options.saves} "
                      f"saves each, {options.workers} gunicorn workers", flush=True)
                load_before = os.getloadavg()[0]
                signed_in = threading.Barrier(len(partners) + 1)
                threads = [
                    threading.Thread(target=run_partner, args=(base, partner, options.saves, signed_in))
                    for partner in partners
                ]
                started = time.perf_counter()
                for thread in threads:
                    thread.start()
                signed_in.wait()
                signing_in = time.perf_counter() - started
                started = time.perf_counter()
                for thread in threads:
                    thread.join()
                elapsed = time.perf_counter() - started
            finally:
                server.stop()
            # The e-mails the submissions queued: give the worker time to send them all.
            deadline = time.monotonic() + 60
            while True:
                outcome = json.loads(site.run(OUTCOME))
                if set(outcome["jobs"]) <= {"succeeded", "failed"} or time.monotonic() > deadline:
                    break
                time.sleep(1)

    errors = [partner.error for partner in partners if partner.error]
    lost = check(partners, outcome, options.saves)
    timings: dict[str, list[float]] = defaultdict(list)
    for partner in partners:
        for action, values in partner.timings.items():
            timings[action].extend(values)
    requests = sum(len(values) for action, values in timings.items() if action not in SIGN_IN_ACTIONS)
    rows = "\n".join(
        f"| {action} | {len(values):,} | {statistics.median(values):.0f} ms | "
        f"{percentile(values, 0.99):.0f} ms |"
        for action, values in sorted(
            timings.items(), key=lambda item: (item[0] in SIGN_IN_ACTIONS, -len(item[1]))
        )
    )
    submissions = len(partners)
    jobs = ", ".join(f"{count} {state}" for state, count in sorted(outcome["jobs"].items())) or "none"
    verdict = (
        "**zero errors, nothing lost**" if not errors and not lost else
        f"**{len(errors)} partners stopped by an error, {len(lost)} lost or wrong writes**"
    )
    details = "".join(
        f"\n\n{title}: " + "; ".join(found)
        for title, found in (("Errors", errors), ("Lost or wrong", lost)) if found
    )
    section = f"""{HEADING}

`python -m bench.load_partners`, {time.strftime('%Y-%m-%d')}: {len(partners)} partners (their own
users, in {organisations} organisations of the demo's open 2020-21 Q4 round, each with an update of
their own) at once, each in a thread speaking HTTP to gunicorn ({options.workers} sync workers, 2 × CPUs
+ 1) with production settings and a Celery worker on Redis: sign in, then {options.saves} saves
(the new-update form, then the edit form each time, with new text and a new KPI value), a preview and
the submission, following each redirect as a browser does. CSRF tokens and session cookies are
handled as a browser does; every form is read from the page.

All {len(partners)} signed in at once first ({signing_in:.1f} s); then, from the moment the last had
signed in, their saves and submissions: {requests:,} requests in {elapsed:.1f} s, **{requests / elapsed:,.1f}
requests/s**; {verdict}. A request slower than {TIMEOUT_SECONDS} s would count as an error.

| action | requests | p50 | p99 |
| --- | ---: | ---: | ---: |
{rows}

"open a page" is every GET of the saving phase: the new-update and edit forms, the update's page
after each save or submission, the preview. "sign in" is the POST, one PBKDF2 password hash
(Django's default, 1,000,000 iterations) that is CPU-bound by design, so twenty at once queue on
the two CPUs; "sign-in pages" are the sign-in form and the home page it leads to.

Checked in the database afterwards: each partner has exactly one update, holding the text and the KPI
value of their last save, at version {options.saves + 1} (one per save and one for the submission),
status submitted, with one submission recorded ({submissions} in all); the submissions' e-mail jobs:
{jobs}.{details}

{common.machine(load_before)}; the load generator, gunicorn, the worker and PostgreSQL share the
{os.cpu_count()} CPUs with whatever else runs there, so latencies vary from run to run.
"""
    print(section)
    if not options.no_record:
        common.write_section(HEADING, section)
    if errors or lost:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
