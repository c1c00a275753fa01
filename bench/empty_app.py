"""The floor for bench/synth.py: a CDK app with one stack holding a single no-op resource.

(A stack with no resource at all is rejected by CloudFormation, and by the CLI's validation.)
"""

from aws_cdk import App, CfnWaitConditionHandle, Stack

app = App()
CfnWaitConditionHandle(Stack(app, "Empty"), "Nothing")
app.synth()
