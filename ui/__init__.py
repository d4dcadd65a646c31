"""The Qt (PySide6) layer of IA Desk: windows, dialogs, widgets, workers. No rules here:
every rule is the core's (``ia_desk``). The layer reaches the core only through its door,
``ia_desk.services`` (with the read models of ``ia_desk.casefile``, ``errors``, ``terms``
and ``resources``; an import-linter contract holds it), and opens no transaction.

Where things are::

    launcher.py         the ``ia-desk`` entry point: a command runs in the CLI, none starts the app
    app.py              start-up: the QApplication, open or create the database, sign in, run
    main_window.py      the main window: navigation by role, menus, lock, read-only banner
    screens/            one module per main-window screen: cases, employees, policies,
                        registers, statistics, administration, audit_trail; screen.py
                        what they share (read when shown, refreshed by the bus)
    case_window/        the window of one case (window.py) and its tabs: overview,
                        allegations, discipline, timeline (the evidence tab is a widget);
                        loading.py reads what it shows
    evidence_viewer.py  one evidence item in a window of its own, with its custody log
    dialogs/            one module per dialog: sign_in, first_run, passphrase,
                        change_password, connection, lock, intake, clause_picker, finding,
                        withhold, decision, add_user, register_entry, matrix_editor,
                        print_preview
    widgets/            widgets the screens, windows and dialogs share: clause_tree,
                        suggestion_list, evidence_grid, pending_evidence, zoom_view,
                        bar_chart, ladder, password_pair, tables, fields (error line,
                        dates), layouts
    evidence_input.py   evidence from files, the clipboard and drops
    shortcuts.py        the keys on no menu (case window): installed from it, listed by the guide
    idle_watcher.py     notices a period without input (the main window then locks)
    ops.py              Change and Query: a service off the GUI thread; the bus on which
                        every change is announced and every open screen listens
    worker.py           runs work off the GUI thread (under ops), and says what went wrong
"""
