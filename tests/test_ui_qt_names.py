"""No window, dialog or widget stores one of its parts under the name of a Qt method.

``self.event = QLineEdit()`` on a widget hides ``QWidget.event``, through which Qt hands
the widget every event: whether Qt then reaches the C++ method or the line edit depends
on whether the widget got an event before the assignment (when it did not, PySide
crashes the app with a segmentation fault: shown below in a separate process).
``self.scroll = QScrollArea()`` hides ``QWidget.scroll``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
import textwrap

from PySide6.QtCore import QObject

import ui


def qt_classes() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(ui.__path__, "ui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name and issubclass(cls, QObject):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def attributes_set_on_self(cls: type) -> set[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    names = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for t in ast.walk(target):
                if (
                    isinstance(t, ast.Attribute)
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                ):
                    names.add(t.attr)
    return names


def test_no_part_of_a_window_dialog_or_widget_hides_a_qt_method():
    classes = qt_classes()
    assert len(classes) > 30  # every screen, dialog, window and widget of ui/
    hidden = []
    for cls in classes:
        qt_base = next(b for b in cls.__mro__ if b.__module__.startswith("PySide6"))
        for name in sorted(attributes_set_on_self(cls)):
            if callable(getattr(qt_base, name, None)):
                hidden.append(
                    f"{cls.__module__}.{cls.__qualname__}.{name} hides {qt_base.__name__}"
                )
    assert hidden == []


def test_a_widget_whose_event_method_is_hidden_crashes_pyside():
    """Why the rule matters: the crash, in a process of its own."""
    code = textwrap.dedent(
        """
        from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
        app = QApplication([])
        class Page(QWidget):
            def __init__(self):
                super().__init__()
                self.event = QLineEdit()
                QVBoxLayout(self).addWidget(self.event)
        Page()
        print("survived")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
    )
    assert run.returncode != 0 and "survived" not in run.stdout
