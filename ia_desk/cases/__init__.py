"""Intake, case workflow and deadlines, allegations, findings."""
