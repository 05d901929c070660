"""Integrations with data platforms. Each lives in its own module and needs its own extra
(``pip install servicecoach[spark]`` for `servicecoach.integrations.spark`)."""
