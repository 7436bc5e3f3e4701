"""The slim package's S3 model keeps only the operations the code calls (infra/build.py), and
with it a client still makes each of those calls and presigns both ways."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
import requests
from botocore.config import Config
from moto import mock_aws

from infra.build import TRIMMED_MODELS, trim_model

BOTOCORE_DATA = Path(botocore.__file__).parent / "data"


def trimmed_client(service: str, directory: Path) -> Any:
    """A client whose model is the slim package's trimmed one."""
    shutil.copytree(BOTOCORE_DATA / service, directory / service)
    trim_model(directory / service, TRIMMED_MODELS[service])
    session = botocore.session.Session()
    loader = botocore.loaders.Loader(extra_search_paths=[str(directory)])
    session.register_component("data_loader", loader)
    return session.create_client(
        service,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4") if service == "s3" else None,
    )


@pytest.fixture
def trimmed_s3(tmp_path: Path) -> Any:
    return trimmed_client("s3", tmp_path)


@pytest.mark.parametrize("service", sorted(TRIMMED_MODELS))
def test_each_trimmed_model_keeps_its_operations_only(service: str, tmp_path: Path) -> None:
    client = trimmed_client(service, tmp_path)
    assert sorted(client.meta.service_model.operation_names) == sorted(TRIMMED_MODELS[service])


def test_mail_and_the_signing_keys_work_on_their_trimmed_models(tmp_path: Path) -> None:
    with mock_aws():
        boto3.client("ses", region_name="eu-west-1").verify_email_identity(
            EmailAddress="mieux@example.org"
        )
        mail = trimmed_client("sesv2", tmp_path)
        sent = mail.send_email(
            FromEmailAddress="mieux@example.org",
            Destination={"ToAddresses": ["ana@example.org"]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
        )
        assert sent["MessageId"]
        boto3.client("secretsmanager", region_name="eu-west-1").create_secret(
            Name="keys", SecretString="k"
        )
        secrets = trimmed_client("secretsmanager", tmp_path)
        assert secrets.get_secret_value(SecretId="keys")["SecretString"] == "k"


def test_the_trimmed_model_has_the_called_operations_only(trimmed_s3: Any) -> None:
    model = trimmed_s3.meta.service_model
    assert sorted(model.operation_names) == sorted(TRIMMED_MODELS["s3"])


def test_every_call_of_the_attachments_works_on_the_trimmed_model(trimmed_s3: Any) -> None:
    s3 = trimmed_s3
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="bucket-b", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        post = s3.generate_presigned_post("bucket-b", "attachments/k", ExpiresIn=60)
        answer = requests.post(
            post["url"], data=post["fields"], files={"file": b"%PDF-1"}, timeout=5
        )
        assert int(answer.status_code) == 204
        assert s3.head_object(Bucket="bucket-b", Key="attachments/k")["ContentLength"] == 6
        body = s3.get_object(Bucket="bucket-b", Key="attachments/k", Range="bytes=0-3")["Body"]
        assert body.read() == b"%PDF"
        tags = {"TagSet": [{"Key": "a", "Value": "b"}]}
        s3.put_object_tagging(Bucket="bucket-b", Key="attachments/k", Tagging=tags)
        assert (
            s3.get_object_tagging(Bucket="bucket-b", Key="attachments/k")["TagSet"]
            == tags["TagSet"]
        )
        s3.delete_object_tagging(Bucket="bucket-b", Key="attachments/k")
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": "bucket-b", "Key": "attachments/k"}
        )
        assert requests.get(url, timeout=5).content == b"%PDF-1"
        s3.delete_object(Bucket="bucket-b", Key="attachments/k")


def test_the_staff_sign_in_works_on_the_trimmed_cognito_model(tmp_path: Path) -> None:
    with mock_aws():
        full = boto3.client("cognito-idp", region_name="eu-west-1")
        pool = full.create_user_pool(PoolName="staff")["UserPool"]["Id"]
        client_id = full.create_user_pool_client(
            UserPoolId=pool, ClientName="app", ExplicitAuthFlows=["ADMIN_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        full.admin_create_user(UserPoolId=pool, Username="ana", TemporaryPassword="Temp-pass-1")
        cognito = trimmed_client("cognito-idp", tmp_path)
        challenge = cognito.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ana", "PASSWORD": "Temp-pass-1"},
        )
        assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
        answer = cognito.admin_respond_to_auth_challenge(
            UserPoolId=pool,
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "ana", "NEW_PASSWORD": "New-pass-123"},
        )
        assert "AuthenticationResult" in answer
        cognito.admin_user_global_sign_out(UserPoolId=pool, Username="ana")
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            cognito.admin_initiate_auth(
                UserPoolId=pool,
                ClientId=client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "ana", "PASSWORD": "wrong"},
            )
