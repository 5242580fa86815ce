"""A local stand-in for AWS, over the real wire protocols, for the probe tests:

* bedrock-runtime ``ApplyGuardrail`` (rest-json): ``POST /guardrail/{id}/version/{version}/apply`` answered in
  the service's JSON shape (``usage``, ``action``, ``outputs``, ``assessments``; botocore's service model
  bedrock-runtime 2023-09-30), each probe decided by :class:`Evaluator`; a configurable share of requests is
  answered with HTTP 429 and ``x-amzn-ErrorType: ThrottlingException``, an unknown guardrail with 404
  ``ResourceNotFoundException``;
* CloudFormation ``DescribeStackResources`` (query protocol: a form-encoded POST, an XML answer) for the
  stacks it is given.

:class:`Evaluator` is a small deterministic model of a synthesized ``AWS::Bedrock::Guardrail``: its custom word
filters (whole phrase, any case), its regex entities (``SensitiveInformationPolicyConfig.RegexesConfig``, BLOCK
or ANONYMIZE) and its denied topics (a text containing one of a topic's examples). It knows nothing of the
managed filters; a test compares the runner's results with its decisions, not with Bedrock's.
"""
from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.parse
from typing import Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

USAGE_KEYS = ("topicPolicyUnits", "contentPolicyUnits", "wordPolicyUnits", "sensitiveInformationPolicyUnits",
              "sensitiveInformationPolicyFreeUnits", "contextualGroundingPolicyUnits")
BLOCKED_MESSAGE = "Sorry, I cannot help with that request."


class Evaluator:
    """Decides a text as a guardrail with these CloudFormation ``Properties`` would, for words, regexes, topics."""

    def __init__(self, properties: dict) -> None:
        self.words = [w["Text"] for w in properties.get("WordPolicyConfig", {}).get("WordsConfig", [])]
        self.regexes = [(r["Name"], r["Pattern"], r["Action"])
                        for r in properties.get("SensitiveInformationPolicyConfig", {}).get("RegexesConfig", [])]
        self.topics = [(t["Name"], t.get("Examples", []))
                       for t in properties.get("TopicPolicyConfig", {}).get("TopicsConfig", [])]

    def assessment(self, text: str) -> Tuple[dict, bool]:
        """(the assessment, whether the guardrail intervenes)."""
        lowered = text.lower()
        words = [{"match": w, "action": "BLOCKED", "detected": True} for w in self.words
                 if re.search(r"(?<!\w)" + re.escape(w.lower()) + r"(?!\w)", lowered)]
        regexes = []
        for name, pattern, action in self.regexes:
            match = re.search(pattern, text)
            if match:
                regexes.append({"name": name, "match": match.group(0), "regex": pattern,
                                "action": "BLOCKED" if action == "BLOCK" else "ANONYMIZED", "detected": True})
        topics = [{"name": name, "type": "DENY", "action": "BLOCKED", "detected": True}
                  for name, examples in self.topics if any(e.lower() in lowered for e in examples)]
        assessment: dict = {}
        if words:
            assessment["wordPolicy"] = {"customWords": words, "managedWordLists": []}
        if regexes:
            assessment["sensitiveInformationPolicy"] = {"piiEntities": [], "regexes": regexes}
        if topics:
            assessment["topicPolicy"] = {"topics": topics}
        return assessment, bool(assessment)

    def decide(self, text: str) -> bool:
        return self.assessment(text)[1]

    def answer(self, text: str) -> dict:
        assessment, intervened = self.assessment(text)
        units = max(1, -(-len(text) // 1000))
        return {
            "usage": {key: (units if key in ("wordPolicyUnits", "topicPolicyUnits", "sensitiveInformationPolicyFreeUnits")
                            else 0) for key in USAGE_KEYS},
            "action": "GUARDRAIL_INTERVENED" if intervened else "NONE",
            "actionReason": "Guardrail blocked." if intervened else "No action.",
            "outputs": [{"text": BLOCKED_MESSAGE}] if intervened else [],
            "assessments": [assessment] if assessment else [],
        }


class AwsServer:
    """The server; ``guardrails`` maps ``(id, version)`` to an :class:`Evaluator`, ``stacks`` maps a stack name
    to ``{logical id: (type, physical id)}``. ``throttle_every``: answer every n-th ApplyGuardrail call (the
    first included) with 429."""

    def __init__(self, guardrails: Dict[Tuple[str, str], Evaluator], stacks: Optional[Dict[str, dict]] = None,
                 throttle_every: int = 0) -> None:
        self.guardrails, self.stacks, self.throttle_every = guardrails, stacks or {}, throttle_every
        self.lock = threading.Lock()
        self.applied: List[dict] = []  # every ApplyGuardrail request answered 200: path ids, body, signed
        self.calls = 0
        self.throttled = 0
        self.described: List[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (the name http.server looks up)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                match = re.fullmatch(r"/guardrail/([^/]+)/version/([^/]+)/apply", self.path)
                if match:
                    outer._apply(self, urllib.parse.unquote(match.group(1)), match.group(2), body)
                elif self.path == "/":
                    outer._cloudformation(self, urllib.parse.parse_qs(body.decode()))
                else:
                    outer._send(self, 404, b"{}", "application/json")

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def _send(handler, status: int, body: bytes, content_type: str, headers: Optional[dict] = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _apply(self, handler, identifier: str, version: str, raw: bytes) -> None:
        with self.lock:
            self.calls += 1
            throttle = self.throttle_every and (self.calls - 1) % self.throttle_every == 0
            if throttle:
                self.throttled += 1
        if throttle:
            self._send(handler, 429, json.dumps({"message": "Too many requests, please wait."}).encode(),
                       "application/json", {"x-amzn-ErrorType": "ThrottlingException"})
            return
        evaluator = self.guardrails.get((identifier, version))
        if evaluator is None:
            self._send(handler, 404, json.dumps({"message": f"Guardrail {identifier} not found"}).encode(),
                       "application/json", {"x-amzn-ErrorType": "ResourceNotFoundException"})
            return
        body = json.loads(raw)
        text = body["content"][0]["text"]["text"]
        with self.lock:
            self.applied.append({"id": identifier, "version": version, "body": body,
                                 "signed": handler.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256")})
        self._send(handler, 200, json.dumps(evaluator.answer(text)).encode(), "application/json")

    def _cloudformation(self, handler, form: Dict[str, List[str]]) -> None:
        action, stack = form.get("Action", [""])[0], form.get("StackName", [""])[0]
        logical = form.get("LogicalResourceId", [None])[0]
        self.described.append({"Action": action, "StackName": stack, "LogicalResourceId": logical})
        if action != "DescribeStackResources" or stack not in self.stacks:
            error = (f'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender'
                     f"</Type><Code>ValidationError</Code><Message>Stack with id {escape(stack)} does not exist"
                     "</Message></Error><RequestId>1</RequestId></ErrorResponse>")
            self._send(handler, 400, error.encode(), "text/xml")
            return
        members = "".join(
            f"<member><StackName>{escape(stack)}</StackName><LogicalResourceId>{escape(lid)}</LogicalResourceId>"
            f"<PhysicalResourceId>{escape(physical)}</PhysicalResourceId><ResourceType>{escape(kind)}</ResourceType>"
            "<Timestamp>2026-01-01T00:00:00Z</Timestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>"
            for lid, (kind, physical) in self.stacks[stack].items() if logical in (None, lid))
        xml = ('<DescribeStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
               f"<DescribeStackResourcesResult><StackResources>{members}</StackResources>"
               "</DescribeStackResourcesResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
               "</DescribeStackResourcesResponse>")
        self._send(handler, 200, xml.encode(), "text/xml")
