"""Deploy proof: the real CDK CLI deploys every sandbox stack into moto on loopback."""
