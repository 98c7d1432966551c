"""Every write of the seal lives here: keyword-only, typed, atomic, with side effects
(tasks, e-mails) scheduled on commit."""
