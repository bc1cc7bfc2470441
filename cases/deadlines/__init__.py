"""Decision deadlines, at the bottom of the case workflow (RULES.md sections 1 and 2).

Intake sets a case's clocks in the submit transaction, so the clock engine, the turnaround
rules it reads and the plan's business calendar live here, below `reviews` (which extends,
pends and decides against them) and `notifications` (letters, alerts, phone hours):
- `models`: turnaround rules as data, their periods, plan closures (tables keep their
  historical `reviews_` names);
- `calendar`: business days, US federal holidays and plan closures, the plan's time zone;
- `clocks`: the pure engine and its adapter from a case (every deadline comes from here);
- `alerts`: the 50/75/90 % and overdue thresholds (pure);
- `services`: `case_clock_fields_set`, which puts them on a case.
"""
