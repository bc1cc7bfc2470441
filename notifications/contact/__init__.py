"""Phone routing (RULES.md section 6): the plan's phone lines, their hours and the
inquiries each takes, which number a caller or a letter gets at a given time, and the pages,
API and admin writes that keep them. Its own package inside notifications (the models stay
in the notifications app: their tables and migrations are notifications').

- `models`: lines, phones, hours, inquiries and the change log;
- `validation`: pure checks of hours and fallbacks (used by the models' clean());
- `routing`: the routing table and `route_inquiry` / `phone_for` (reads only);
- `services`: every write (line save and delete, hours, plan closures), logged;
- `forms`, `views`, `urls`: the UM administrators' pages; `api`: the public route lookup.
"""
