"""What the pack's Python acknowledgement aspect (used when cdk-nag 2 is installed; see
aisec_rules/_nag_compat.py) adds to synth: an app of N buckets and N queues in 4 stacks, with
acknowledgements on stacks and on every tenth bucket, synthesized with the pack registered, with the
aspect and with it disabled. Run it where cdk-nag 2 is installed (make test-compat creates .venv-compat):

    .venv-compat/bin/python bench/nag2_aspect.py 400 with
    .venv-compat/bin/python bench/nag2_aspect.py 400 without
"""
import sys
import tempfile
import time

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

import aisec_rules.cdk.nag_compat as compat
import aisec_rules.cdk.pack as pack
from aisec_rules import AiSecurityChecks

N = int(sys.argv[1]) if len(sys.argv) > 1 else 400
MODE = sys.argv[2] if len(sys.argv) > 2 else "with"
inside = [0.0, 0]
_visit = compat.WriteAcknowledgements.visit


def timed_visit(self, node):
    start = time.perf_counter()
    try:
        return _visit(self, node)
    finally:
        inside[0] += time.perf_counter() - start
        inside[1] += 1


compat.WriteAcknowledgements.visit = timed_visit
if MODE == "without":
    pack.acknowledgements_to_template = lambda scope: None
elif compat.cdk_nag_major() != 2:
    sys.exit("run this where cdk-nag 2 is installed (cdk-nag 3 uses its own JavaScript aspect)")

app = cdk.App(outdir=tempfile.mkdtemp())
for number in range(4):
    stack = Stack(app, f"S{number}")
    Validations.of(stack).acknowledge(Acknowledgment(id="AISEC-APP-19", reason="organization trail"))
    for i in range(N // 4):
        bucket = s3.Bucket(stack, f"B{i}", enforce_ssl=True)
        sqs.Queue(stack, f"Q{i}")
        if i % 10 == 0:
            Validations.of(bucket).acknowledge(Acknowledgment(id="AISEC-DATA-07", reason="example"))
Validations.of(app).add_plugins(AiSecurityChecks(app))
start = time.perf_counter()
app.synth()
print(f"{MODE}: {len(app.node.find_all())} constructs, synth {time.perf_counter() - start:.2f} s; "
      f"aspect: {inside[1]} visits, {inside[0]:.2f} s inside visit")
