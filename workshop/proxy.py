"""nginx in front of several participant servers: its configuration, and starting it for `workshop serve`.

Any participant server can answer any phone (the room lives in the store, not in a server's memory), so
nginx needs no stickiness: it sends each request to the least busy server. It keeps no access log, so no
phone's address is written anywhere, and it passes the address on in X-Real-IP for the per-address cap.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from workshop.errors import ServeError

# Every path nginx would otherwise write under its compiled-in prefix (often not writable) goes here.
_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_config(
    upstreams: Sequence[str], listen: str, folder: Path, tls: tuple[Path, Path] | None = None
) -> str:
    """An nginx.conf that spreads phones over `upstreams` ("host:port") and listens on `listen`.

    With `tls` (certificate, key) nginx speaks https to the phones; the servers behind it stay on loopback.
    """
    https = (
        f" ssl;\n        ssl_certificate {tls[0].resolve()};\n        ssl_certificate_key {tls[1].resolve()}"
        if tls
        else ""
    )
    servers = "\n".join(f"        server {address} max_fails=0;" for address in upstreams)
    temps = "\n".join(f"    {name}_temp_path {folder / name};" for name in _TEMP_PATHS)
    return f"""# Written by `workshop serve`; see README "More than one participant server".
worker_processes 1;
pid {folder / "nginx.pid"};
error_log stderr warn;
events {{
    worker_connections 8192;
}}
http {{
    access_log off;  # no phone's address is kept, not even in a log
{temps}
    upstream workshop_phones {{
        least_conn;
{servers}
        keepalive 64;
    }}
    server {{
        listen {listen}{https};
        client_max_body_size 64k;
        location / {{
            proxy_pass http://workshop_phones;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_buffering off;  # a phone's wait for the room is answered the moment it changes
            proxy_read_timeout 90s;
            proxy_next_upstream error timeout http_502;
        }}
    }}
}}
"""


def find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if not found:
        raise ServeError(
            "several participant servers need nginx in front of them — install it "
            "(Debian/Ubuntu: sudo apt-get install nginx), or run one participant server"
        )
    return found


def start_nginx(
    upstreams: Sequence[str], listen: str, folder: Path, tls: tuple[Path, Path] | None = None
) -> subprocess.Popen[bytes]:
    """Write the configuration into `folder` and run nginx in the foreground (stopped with SIGTERM)."""
    nginx = find_nginx()
    folder.mkdir(parents=True, exist_ok=True)
    for name in _TEMP_PATHS:
        (folder / name).mkdir(exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(nginx_config(upstreams, listen, folder, tls), encoding="utf-8")
    checked = subprocess.run(
        [nginx, "-t", "-q", "-p", str(folder), "-e", "stderr", "-c", str(config)],
        capture_output=True,
        text=True,
    )
    if checked.returncode != 0:
        raise ServeError(f"nginx refused the configuration {config}: {checked.stderr.strip()}")
    return subprocess.Popen(
        [nginx, "-p", str(folder), "-e", "stderr", "-c", str(config), "-g", "daemon off;"],
        start_new_session=True,
    )
