"""notifier/ — tells people: alert rendering and delivery (Slack, email, webhook), the outbox.

The pipeline ends here: the cycle writes one outbox row (``Delivery``) per change and channel in
the change's own transaction (:mod:`notifier.routing` chooses the channels), then
:func:`notifier.outbox.deliver_pending` sends what is due, records every attempt, retries with
backoff and never repeats a successful delivery. Source health (a source failing N runs in a
row, or its ``select`` matching nothing) is told once to the ``maintainer`` channel
(:mod:`notifier.health`). Alerts are one model (:mod:`notifier.alert`) rendered three ways
(:mod:`notifier.render`).
"""
