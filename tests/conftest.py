import http.server
import json
import os
import threading
from typing import List

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture
def response_server():
    """A local HTTP server standing in for CloudFormation's pre-signed response URL: it records every
    document PUT to ``url`` (``documents``) and the request headers (``headers``)."""
    server = ResponseServer()
    yield server
    server.close()


class ResponseServer:
    def __init__(self) -> None:
        self.documents: List[dict] = []
        self.headers: List[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # noqa: N802 (the name http.server looks up)
                length = int(self.headers.get("Content-Length", "0"))
                outer.documents.append(json.loads(self.rfile.read(length)))
                outer.headers.append(dict(self.headers))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/response?X-Amz-Signature=abc"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
