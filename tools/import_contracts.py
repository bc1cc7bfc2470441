"""An import-linter contract type of our own: no app imports another app's private name.

import-linter's `private_modules` contract covers private *modules* (`x._y`); this one
covers private *names* (`from notifications.services.letters import _supervisors`,
`from um_portal.audit import _client_ip`): a leading underscore means "mine", so a name
that another app needs gets a public name (and a home where both may import it).
"""

import re

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

_FROM_IMPORT = re.compile(r"^\s*from\s+[\w.]+\s+import\s+\(?(?P<names>[^)#]*)")


def _private_names(line: str) -> list[str]:
    match = _FROM_IMPORT.match(line)
    if not match:
        return []
    names = [part.strip().split(" as ")[0].strip() for part in match.group("names").split(",")]
    return [name for name in names if name.startswith("_") and not name.startswith("__")]


class PrivateNamesContract(Contract):
    """Configuration: `packages`, the apps whose imports of each other are checked."""

    type_name = "private_names"
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        packages = list(self.packages)  # type: ignore[arg-type]
        violations = []
        for importer in sorted(graph.modules):
            home = importer.split(".")[0]
            if home not in packages:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if imported.split(".")[0] == home or imported.split(".")[0] not in packages:
                    continue
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    for name in _private_names(detail["line_contents"]):
                        violations.append((importer, imported, name, detail["line_number"]))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, name, line in check.metadata["violations"]:
            output.print_error(f"{importer} imports the private name {imported}.{name} (l.{line})")
            output.new_line()
