"""The classic architectures' instance applications [004:2332-2430]: WhatIsTheTime.com's time
server, MyClothes.com's shop and MyWordPress.com's shared-files stand-in, and the user data that
installs each as a systemd service on Amazon Linux 2023.

The servers (``time_server.py``, ``shop.py``, ``shared_files.py``, each with ``app_common.py``)
are not imported by the stacks: ``user_data.py`` reads their text and writes it onto the
instance, where the stock ``python3`` (3.9 on AL2023) runs it with the standard library only.
"""
