"""A static server for the search measurement, in a process of its own so that serving
never waits on the measuring process: prints its port, then serves DIR on 127.0.0.1 and
counts the bytes of every response body; GET /__bytes__ answers that count."""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COUNTER = [0]


class CountingHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/__bytes__":
            body = str(COUNTER[0]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        COUNTER[0] += len(data)
        outputfile.write(data)


def main() -> None:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(CountingHandler, directory=sys.argv[1])
    )
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
