"""The answer a custom-resource handler owes CloudFormation: a JSON document PUT to the request's pre-signed
response URL. Without it the stack waits for the resource until it times out (an hour), so every handler
sends one, success or failure.
"""
import json
import urllib.request


def body(event, status, reason, physical_id, data=None, log_stream=""):
    """The response document for ``event``: ``status`` is ``SUCCESS`` or ``FAILED``; an empty reason points
    to the handler's log stream."""
    return {
        "Status": status,
        "Reason": reason or f"See CloudWatch log stream {log_stream}",
        "PhysicalResourceId": physical_id,
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
        "Data": data or {},
    }


def send(url, document, opener=urllib.request.urlopen):
    """PUT ``document`` to the pre-signed ``url`` (no content type: the URL is signed without one); return
    the HTTP status."""
    data = json.dumps(document).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(data))})
    with opener(request, timeout=30) as response:
        return response.status


def respond(event, context, status, reason, physical_id, data=None, opener=urllib.request.urlopen):
    """Send the response for ``event`` to its ``ResponseURL``; return the HTTP status."""
    document = body(event, status, reason, physical_id, data, getattr(context, "log_stream_name", ""))
    return send(event["ResponseURL"], document, opener)
