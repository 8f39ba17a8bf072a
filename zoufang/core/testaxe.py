"""The accessibility check of browser tests (tests only, never the product): axe-core, from npm at set-up.

`checked(page, name)` runs axe-core's WCAG 2.1 A and AA rules (the rules GB/T 37668-2019, China's standard for
accessible web content, takes from WCAG 2.0, and 2.1's) over the page as it is and raises with every violation.
`core.testwidths.look` calls it on each page a browser test looks at. The checker is not served to users: it is
a devDependency of package.json, read from node_modules/ and evaluated in the page by the test's DevTools
connection, which the pages' Content-Security-Policy does not apply to.
"""

from functools import cache
from pathlib import Path
from typing import Any

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then(result => result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + (n.failureSummary || "").split("\\n")[1])})))"""


def npm_file(package: str, path: str) -> Path:
    """A file of a checker the tests take from npm (a devDependency). Its absence fails the test, not skips it:
    `make test` installs it (npm ci), so a missing one is a broken set-up."""
    found = NODE_MODULES / package / path
    if not found.exists():  # raised, not asserted: this is no test module (ruff S101) and -O keeps it
        raise AssertionError(f"{found} is missing: run `make static` (npm ci installs {package})")
    return found


@cache
def _source() -> str:
    return npm_file("axe-core", "axe.min.js").read_text(encoding="utf-8")


def checked(page: Any, name: str) -> None:
    """No WCAG 2.1 A/AA violation on the page as it is now; else AssertionError naming each rule and element."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(_source() + "\n;undefined")
    violations = page.evaluate(RUN, TAGS)
    if violations:
        lines = [f"  {v['id']} ({v['impact']}): {v['help']}\n" + "".join(f"    {n}\n" for n in v["nodes"])
                 for v in violations]
        raise AssertionError(f"{name} ({page.url}) fails accessibility checks:\n" + "".join(lines))
