"""Deadline reminders for linked officials (Telegram, Zalo).

Modules: :mod:`~bot.officials.reminders.plan` (what is due: pure),
:mod:`~bot.officials.reminders.senders` (through the channels' connectors),
:mod:`~bot.officials.reminders.scheduler` (one pass, and the loop),
:mod:`~bot.officials.reminders.last_pass` (the loop's last pass, for the console); the
delivery log is :mod:`bot.db.reminders`.

A subscribed account (``account_link`` row with ``revoked_at IS NULL`` and
``subscribed = true``) gets one message per *stage* for every obligation its
agency has not submitted yet, in the channel it linked from.

The rule (:func:`bot.officials.reminders.plan.plan`)
    ``days`` are the configured reminder days (``REMINDER_DAYS``, default 7 and
    1), ``catchup`` is ``REMINDER_CATCHUP_DAYS`` (default 2); ``L`` is the
    number of days left on the local date ``today`` (0 = due today) and ``D``
    the number of days overdue.

    * open obligation (``L >= 0``): let ``N`` be the smallest configured day
      with ``L <= N``. Stage ``before_N`` is due when ``L >= N - catchup``.
      With 7, 1 and catch-up 2: ``before_7`` on L = 7, 6 or 5, ``before_1`` on
      L = 1 or 0; nothing on L = 4, 3, 2 or more than 7 days ahead.
    * overdue obligation: stage ``overdue`` when ``1 <= D <= 1 + catchup``.
    * submitted obligation (a submission received on or before ``today``):
      nothing.
    * a stage is never planned when the delivery log already holds that stage
      or a later one for the same account and obligation (order: ``before_N``
      with bigger ``N`` first, ``overdue`` last), whatever its status.

    In words: a reminder goes out on its day, or up to ``catchup`` days late
    if the scheduler was down, never later; a scheduler started years after
    the deadlines sends nothing; a clock moved back never sends an earlier
    reminder after a later one.

At most once (:class:`bot.db.reminders.ReminderStore`)
    Before a message goes out, a ``reminder_delivery`` row (account,
    obligation, stage) is inserted with status ``sending``; the table's unique
    key makes a second insert fail, and whoever fails skips the reminder. So a
    restart, a second scheduler process or a clock change never sends one
    twice. Afterwards the row becomes ``sent``, ``failed`` (a permanent
    refusal, with the reason, secrets masked) or ``retry`` (a transient error:
    429, 5xx, timeout, connection refused, as classified by
    :mod:`bot.channels.delivery`); a ``retry`` row is claimed again, atomically,
    by the next pass while its stage is still due. A row still ``sending`` after :data:`bot.db.reminders.STALE_AFTER` (the
    process died while sending) is reported as ``unknown`` and never re-sent.

Sending (:func:`bot.officials.reminders.senders.load_senders`)
    Built from the same ``credentials.yml`` the Rasa server uses, through our
    connectors (``from_credentials(...).get_output_channel()``), which expand
    the quoted ``"${VAR}"`` settings from the environment. A channel whose
    required settings are missing is "not configured": its reminders wait,
    unclaimed, for a pass that can send them. Rasa and the connectors are
    imported only when a reminder is actually due. Zalo lets an OA send a
    customer-support message only to users who wrote to it within the last 7
    days; a refusal (error -230, -232, ...) is recorded as failed with the
    platform's code and shown by ``python -m bot reminders list --status failed``.

Paused accounts (:mod:`bot.officials.reminders.pause`)
    A refusal that says the recipient cannot be reached (``DeliveryFailed.unreachable``:
    blocked the bot, deleted or deactivated the account, chat not found, Zalo
    -213/-227/-230/-232) also pauses the account's reminders
    (a ``reminder_pause`` row with the reason): no later stage is
    tried until the account writes to the assistant again, which resumes them.
    ``python -m bot reminders paused`` lists paused accounts.

The scheduler (:func:`bot.officials.reminders.scheduler.run_forever`)
    ``python -m bot scheduler``, started by ``make run``. A loop over the database, not Rasa's reminder events (those live in an
    in-memory APScheduler job store and are lost on restart): every
    ``REMINDER_INTERVAL_S`` seconds, between 07:00 and 21:00 local time, it runs
    :func:`~bot.officials.reminders.scheduler.run_once` for today's local
    date (``ASSISTANT_TODAY`` when set).

Dates are local dates in Asia/Ho_Chi_Minh; timestamps are UTC.
"""
