"""Lambda code of the constructs' custom resources, one module per handler, deployed as assets and tested in
plain Python.

Each function's asset holds this package with only its own handler module and :mod:`.cfn_response`
(:func:`aisec_constructs.lambda_code.handler_code`), so every asset is self-contained and the
CloudFormation response code is written once. Handlers import each other only relatively and use the
standard library and the SDK of the Lambda Python runtime, nothing else; this file imports nothing, since
Lambda runs it first.
"""
