"""The CloudFormation types the emulator only stubs (ids, no model), with the reason.

Kept free of moto imports: the test process reads it without loading the extensions, which
would otherwise also register with any in-process ``mock_aws`` CloudFormation.
"""

STUB_TYPES: dict[str, str] = {
    "AWS::CloudFront::CloudFrontOriginAccessIdentity": (
        "moto 5.2.5 has no origin access identities (no API, no model)"
    ),
    "AWS::CloudFront::ResponseHeadersPolicy": (
        "moto 5.2.5 has no response headers policies (no API, no model)"
    ),
}

# aws-cdk's custom resources whose handler is aws-cdk-lib's own code, run for real by the
# emulator (tests/emulator/extensions.py, CdkHandlerResource): the Lambda function's code as the
# CLI published it, invoked as Lambda would with its SDK calls going to moto. What they leave
# behind is moto's own model, produced by aws-cdk-lib's own code.
HANDLERS_RUN: set[str] = {
    "Custom::VpcRestrictDefaultSG",
    "Custom::S3AutoDeleteObjects",
    "Custom::CDKBucketDeployment",
    "Custom::S3BucketNotifications",
}
