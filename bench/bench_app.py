"""Benchmark: the app's runs, timed as the app makes them (placeholder until the browser bench).

Usage::

    .venv/bin/python bench/bench_app.py
"""
