"""Read template.yaml (with CloudFormation tags) into the tables and functions the local stack and the
tests build: the template is the only list of routes, tables, handlers and environment variables."""

from __future__ import annotations

import importlib.util
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"
_API = "local-api-id"
_NO_VALUE = object()  # what ``!Ref AWS::NoValue`` resolves to, until its key or list item is dropped


# yaml is untyped here (types-PyYAML is not among the test tools), so SafeLoader is Any to mypy.
class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]
    """``!Ref X`` -> ``{"Ref": X}``, ``!Condition C`` -> ``{"Condition": C}``, ``!Sub``/``!GetAtt``/... ->
    ``{"Fn::Sub": ...}``."""


def _tag(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix: value} if suffix in ("Ref", "Condition") else {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        template: dict[str, Any] = yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return template


@dataclass(frozen=True)
class Table:
    logical_id: str
    name: str
    properties: dict[str, Any]
    created: bool = True  # False: an existing table the stack uses (a parameter names it)

    def create_kwargs(self) -> dict[str, Any]:
        """``create_table`` arguments, exactly as the template declares the keys and indexes."""
        props = self.properties
        kwargs = {
            "TableName": self.name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        return kwargs

    @property
    def ttl_attribute(self) -> str | None:
        spec = self.properties.get("TimeToLiveSpecification") or {}
        return spec.get("AttributeName") if spec.get("Enabled") else None


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    authorizer: str | None = None  # name of a Lambda authorizer of the API


@dataclass(frozen=True)
class Authorizer:
    name: str
    function_id: str  # logical id of the authorizer's function
    identity_headers: tuple[str, ...]


@dataclass(frozen=True)
class GatewayResponse:
    status: int | None  # None: the status of the error it answers (DEFAULT_4XX / DEFAULT_5XX without one)
    headers: dict[str, str]  # static values, quotes removed
    body: str


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_dir: Path
    handler: str
    layer_dirs: tuple[Path, ...]
    environment: dict[str, str]
    timeout: int
    memory: int
    routes: tuple[Route, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        """The endpoint's directory name: ``functions/<name>/``."""
        return self.code_dir.name

    def load(self) -> Callable[..., Any]:
        """Import the handler module under a name of its own (every handler module is ``app``)."""
        module_name, function_name = self.handler.rsplit(".", 1)
        spec = importlib.util.spec_from_file_location(f"handler_{self.name}", self.code_dir / f"{module_name}.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {self.code_dir}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        handler: Callable[..., Any] = getattr(module, function_name)
        return handler


class Stack:
    """The template resolved for one stack name: ``{stack}-{name}`` tables, parameter defaults, and
    the API's own URL standing in for ``${OAuthApi}`` references."""

    def __init__(self, stack_name: str = "local", region: str = "us-east-1", api_url: str = "http://127.0.0.1:3000",
                 template: dict[str, Any] | None = None, parameters: dict[str, str] | None = None) -> None:
        self.template = template if template is not None else load()
        self.stack_name = stack_name
        self.region = region
        self.api_url = api_url
        self.parameters = {name: str(spec.get("Default", "")) for name, spec in
                           (self.template.get("Parameters") or {}).items()}
        self.parameters.update(parameters or {})
        self.resources: dict[str, Any] = self.template["Resources"]
        self._secrets: dict[str, str] = {}

    # -- intrinsic functions -------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function worked out; ``!Ref AWS::NoValue`` drops its key or item."""
        if isinstance(value, dict) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                return _NO_VALUE if arg == "AWS::NoValue" else self._ref(arg)
            if fn == "Fn::Sub":
                return self._sub(arg)
            if fn == "Fn::GetAtt":
                return self._get_att(*arg)
            if fn == "Fn::If":
                name, if_true, if_false = arg
                return self.resolve(if_true if self.condition(name) else if_false)
            if fn.startswith("Fn::"):
                raise ValueError(f"the local stack does not support {fn}")
        if isinstance(value, dict):
            resolved = {k: self.resolve(v) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not _NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not _NO_VALUE]
        return value

    def condition(self, name: str) -> bool:
        """A condition of the template's ``Conditions``, for this stack's parameters."""
        return self._truth(self.template["Conditions"][name])

    def _truth(self, expr: Any) -> bool:
        (fn, arg), = expr.items()
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Equals":  # CloudFormation compares the values as strings
            left, right = (str(self.resolve(v)) for v in arg)
            return left == right
        if fn == "Fn::Not":
            return not self._truth(arg[0])
        if fn == "Fn::And":
            return all(self._truth(e) for e in arg)
        if fn == "Fn::Or":
            return any(self._truth(e) for e in arg)
        raise ValueError(f"the local stack does not support {fn} in a condition")

    def exists(self, logical_id: str) -> bool:
        """Whether the stack creates the resource (its ``Condition``, if any, holds)."""
        condition = self.resources[logical_id].get("Condition")
        return condition is None or self.condition(condition)

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::StackName": self.stack_name, "AWS::Region": self.region, "AWS::AccountId": ACCOUNT_ID,
                  "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self.resources.get(name)
        if resource is None:
            raise KeyError(f"!Ref to unknown resource or parameter {name}")
        if not self.exists(name):
            raise KeyError(f"!Ref to {name}, which this stack does not create (condition {resource['Condition']})")
        if resource["Type"] == "AWS::DynamoDB::Table":
            return str(self.resolve(resource["Properties"]["TableName"]))
        return name

    def _secret(self, name: str) -> str:
        if (self.resources.get(name) or {}).get("Type") != "AWS::SecretsManager::Secret":
            raise KeyError(f"dynamic reference to unknown secret {name}")
        return self._secrets.setdefault(name, secrets.token_urlsafe(48))

    def _get_att(self, name: str, attribute: str) -> str:
        resource = self.resources.get(name)
        if resource is None:
            raise KeyError(f"!GetAtt of unknown resource {name}")
        if resource["Type"] == "AWS::DynamoDB::Table" and attribute == "Arn":
            return f"arn:aws:dynamodb:{self.region}:{ACCOUNT_ID}:table/{self._ref(name)}"
        return f"{name}.{attribute}"

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def replace(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr in variables:
                return str(self.resolve(variables[expr]))
            if "." in expr:
                return self._get_att(*expr.split(".", 1))
            resource = self.resources.get(expr, {})
            if resource.get("Type") == "AWS::Serverless::Api":
                return _API
            return self._ref(expr)

        resolved = re.sub(r"\$\{([^}!]+)\}", replace, text)
        # A secret CloudFormation resolves at deploy time: the local stack generates its own per start.
        resolved = re.sub(r"\{\{resolve:secretsmanager:([^:}]+)\}\}", lambda m: self._secret(m.group(1)), resolved)
        # The deployed stage URL becomes the local stack's URL, which has no stage prefix.
        return re.sub(rf"https://{_API}\.execute-api\.[^/]+/api", self.api_url, resolved)

    # -- resources ------------------------------------------------------------------------------
    def tables(self, existing: bool = False) -> list[Table]:
        """The tables the stack creates; with ``existing``, also those it is told to use instead of creating
        its own (``ExistingClientsTable``, ...), named as the template names them in the table's place."""
        found = []
        for logical_id, r in self.resources.items():
            if r["Type"] != "AWS::DynamoDB::Table":
                continue
            if self.exists(logical_id):
                found.append(Table(logical_id, str(self.resolve(r["Properties"]["TableName"])),
                                   self.resolve(r["Properties"])))
            elif existing:
                found.append(Table(logical_id, self._used_instead_of(logical_id), self.resolve(r["Properties"]),
                                   created=False))
        return found

    def _used_instead_of(self, logical_id: str) -> str:
        """What the template's ``!If [Condition, !Ref Table, other]`` choices name when the table is not created."""
        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                branches = value.get("Fn::If")
                if isinstance(branches, list) and {"Ref": logical_id} in branches[1:]:
                    return branches[2] if branches[1] == {"Ref": logical_id} else branches[1]
                value = list(value.values())
            for item in value if isinstance(value, list) else ():
                found = walk(item)
                if found is not None:
                    return found
            return None

        other = walk(self.template.get("Globals"))
        if other is None:
            raise KeyError(f"{logical_id} is not created and the template names nothing in its place")
        return str(self.resolve(other))

    def functions(self) -> list[Function]:
        globals_ = (self.template.get("Globals") or {}).get("Function", {})
        found = []
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            props = {**globals_, **resource["Properties"]}
            env = {**(globals_.get("Environment") or {}).get("Variables", {}),
                   **(resource["Properties"].get("Environment") or {}).get("Variables", {})}
            routes = tuple(
                Route(str(e["Properties"]["Method"]).upper(), str(e["Properties"]["Path"]), self._route_authorizer(e))
                for e in (props.get("Events") or {}).values() if e.get("Type") == "Api"
            )
            found.append(Function(
                logical_id=logical_id,
                code_dir=ROOT / props["CodeUri"],
                handler=props["Handler"],
                layer_dirs=tuple(self._layer_dir(layer) for layer in props.get("Layers", [])),
                environment={k: str(self.resolve(v)) for k, v in env.items()},
                timeout=int(props.get("Timeout", 3)),
                memory=int(props.get("MemorySize", 128)),
                routes=routes,
            ))
        return found

    def _api(self, event: dict[str, Any]) -> dict[str, Any]:
        ref = event["Properties"].get("RestApiId")
        name = ref["Ref"] if isinstance(ref, dict) else ref
        return (self.resources.get(name) or {}).get("Properties", {}) if name else {}

    def _route_authorizer(self, event: dict[str, Any]) -> str | None:
        """The route's authorizer: its own ``Auth.Authorizer``, else the API's default; ``NONE`` is none."""
        auth = self._api(event).get("Auth") or {}
        name = (event["Properties"].get("Auth") or {}).get("Authorizer") or auth.get("DefaultAuthorizer")
        return None if not name or name == "NONE" else str(name)

    def authorizers(self) -> dict[str, Authorizer]:
        found = {}
        for resource in self.resources.values():
            if resource["Type"] != "AWS::Serverless::Api":
                continue
            for name, spec in ((resource["Properties"].get("Auth") or {}).get("Authorizers") or {}).items():
                arn = spec.get("FunctionArn")
                if not (isinstance(arn, dict) and "Fn::GetAtt" in arn) or spec.get("FunctionPayloadType") != "REQUEST":
                    raise ValueError(f"authorizer {name}: the local stack supports REQUEST authorizers "
                                     "on a function of the template only")
                headers = tuple((spec.get("Identity") or {}).get("Headers") or ())
                found[name] = Authorizer(name, arn["Fn::GetAtt"][0], headers)
        return found

    def gateway_responses(self) -> dict[str, GatewayResponse]:
        found = {}
        for resource in self.resources.values():
            if resource["Type"] != "AWS::Serverless::Api":
                continue
            for kind, spec in (resource["Properties"].get("GatewayResponses") or {}).items():
                headers = {k: str(v).strip().strip("'") for k, v in
                           ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items()}
                body = (spec.get("ResponseTemplates") or {}).get("application/json", "")
                status = spec.get("StatusCode")
                found[kind] = GatewayResponse(int(status) if status is not None else None, headers, body)
        return found

    def _layer_dir(self, ref: Any) -> Path:
        name = ref["Ref"] if isinstance(ref, dict) else ref
        path: Path = ROOT / self.resources[name]["Properties"]["ContentUri"]
        return path
