"""The classic architectures' instance servers, run here on 127.0.0.1 with fakes for the AWS CLI
and psql, and the user data that installs them."""
