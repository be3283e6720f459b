// The Helm chart, rendered by the real Helm binary and validated against the Kubernetes API schemas.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IContainer, IEnvVar } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { helmBinary, helmUnavailable } from '../../../scripts/deploy/helm-binary.js';
import { variables } from '../../../src/config/variables.js';
import { readPrivateFile } from '../../../src/crypto/index.js';

const CHART = fileURLToPath(new URL('../../../deploy/helm/enlace', import.meta.url));
const OPENAPI = fileURLToPath(new URL('../../../openapi/enlace.yaml', import.meta.url));
/** The oldest Kubernetes the chart declares (Chart.yaml kubeVersion) and a current one. */
const KUBE_VERSIONS = ['1.27.0', '1.33.0'];
const PUBLIC_URL = 'https://gateway.example.org';

/** Every kind a template may produce, with the model that validates it. */
const MODELS = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
} as const;
type Kind = keyof typeof MODELS;

interface Rendered {
  readonly deployment: Deployment;
  readonly kinds: readonly string[];
  readonly manifests: readonly Record<string, unknown>[];
  /** The manifest of that kind; fails the test when none was rendered. */
  readonly of: <K extends Kind>(kind: K) => InstanceType<(typeof MODELS)[K]>;
}

/** Fails unless `actual` holds `part`: a substring of a string, or every member of an object. */
function assertIncludes(actual: unknown, part: unknown, message?: string): void {
  if (typeof actual === 'string' && typeof part === 'string') {
    assert.ok(actual.includes(part), message ?? `expected ${JSON.stringify(part)} in:\n${actual}`);
  } else if (actual instanceof Set) {
    assert.ok(actual.has(part), message ?? `expected ${String(part)}`);
  } else if (Array.isArray(actual)) {
    assert.ok(actual.includes(part), message ?? `expected ${String(part)} in ${actual.join(', ')}`);
  } else {
    const subset = part as Record<string, unknown>;
    const whole = (actual ?? {}) as Record<string, unknown>;
    const picked = Object.fromEntries(Object.keys(subset).map((key) => [key, whole[key]]));
    assert.deepEqual(picked, subset, message);
  }
}

let helm = '';
let home = '';

/** Runs helm with its cache and configuration in a scratch folder, never the user's. */
function runHelm(args: readonly string[], values: unknown) {
  return spawnSync(helm, [...args], {
    input: JSON.stringify(values),
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      // No cluster: helm install --dry-run=client must not find one to talk to.
      KUBECONFIG: join(home, 'no-kubeconfig'),
    },
  });
}

function render(values: Record<string, unknown>, kubeVersion = KUBE_VERSIONS[1]!): Rendered {
  const result = runHelm(
    ['template', 'gw', CHART, '--namespace', 'enlace', '--kube-version', kubeVersion, '-f', '-'],
    { publicUrl: PUBLIC_URL, ...values },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  const manifests = parseAllDocuments(result.stdout)
    .map((document) => {
      assert.deepEqual(document.errors, [], 'YAML errors in the rendered chart');
      return document.toJS() as Record<string, unknown> | null;
    })
    .filter((manifest): manifest is Record<string, unknown> => manifest !== null);
  const built = new Map<string, InstanceType<(typeof MODELS)[Kind]>>();
  for (const manifest of manifests) {
    const id = `${String(manifest.apiVersion)}/${String(manifest.kind)}`;
    assert.ok(id in MODELS, `a template rendered ${id}, which no model validates`);
    const model = new MODELS[id as Kind](manifest);
    // Why validate: the Kubernetes OpenAPI schema catches wrong types, missing required fields
    // and bad enum values that helm itself never looks at.
    model.validate();
    assert.ok(!built.has(id), `${id} rendered twice`);
    built.set(id, model);
  }
  const deployment = built.get('apps/v1/Deployment');
  assert.ok(deployment instanceof Deployment, 'no Deployment rendered');
  return {
    deployment,
    kinds: [...built.keys()].sort(),
    manifests,
    of: <K extends Kind>(kind: K) => {
      const model = built.get(kind);
      assert.ok(model !== undefined, `no ${kind} rendered`);
      return model as InstanceType<(typeof MODELS)[K]>;
    },
  };
}

function renderError(values: Record<string, unknown>): string {
  const result = runHelm(['template', 'gw', CHART, '-f', '-'], {
    publicUrl: PUBLIC_URL,
    ...values,
  });
  assert.notEqual(result.status, 0, 'the render should have been refused');
  return result.stderr;
}

const podSpec = (rendered: Rendered) => rendered.deployment.spec!.template.spec!;
const gateway = (rendered: Rendered): IContainer =>
  podSpec(rendered).containers.find((container) => container.name === 'enlace')!;
const envOf = (container: IContainer): Map<string, IEnvVar> =>
  new Map((container.env ?? []).map((variable) => [variable.name, variable]));

/** Values of a scaled-out release: PostgreSQL, shared keys and CA, native TLS, an autoscaler. */
const SCALED_OUT = {
  autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 },
  database: { existingSecret: 'enlace-database' },
  keys: { existingSecret: 'enlace-keys' },
  pki: { existingSecret: 'enlace-pki' },
  tls: { enabled: true, existingSecret: 'enlace-tls', clientAuth: 'optional' },
  policy: { existingConfigMap: 'enlace-policy' },
  trust: { existingConfigMap: 'enlace-trust', crlKeys: ['national.crl', 'regional.crl'] },
  persistence: { enabled: false },
  env: { ENLACE_DELIVERY_ALLOWED_HOSTS: '*.example.org', ENLACE_LOG_LEVEL: 'warn' },
};

describe('the Helm chart (deploy/helm/enlace)', function () {
  this.timeout(60_000);

  before(function () {
    const reason = helmUnavailable();
    if (reason !== undefined) {
      // CI installs deploy/tools (.ci/run); elsewhere a missing tool skips with the command to run.
      if (process.env.CI === 'true') throw new Error(`Helm is required in CI: ${reason}`);
      process.stderr.write(`skipping the Helm chart checks: ${reason}\n`);
      this.skip();
    }
    helm = helmBinary();
    home = mkdtempSync(join(tmpdir(), 'enlace-helm-'));
  });

  after(() => {
    if (home !== '') rmSync(home, { recursive: true, force: true });
  });

  it('passes helm lint --strict, values checked against values.schema.json', () => {
    const result = runHelm(['lint', '--strict', CHART, '-f', '-'], { publicUrl: PUBLIC_URL });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('renders valid manifests of each kind on the oldest and a current Kubernetes', () => {
    for (const version of KUBE_VERSIONS) {
      assert.deepEqual(render({}, version).kinds, [
        'apps/v1/Deployment',
        'networking.k8s.io/v1/NetworkPolicy',
        'v1/PersistentVolumeClaim',
        'v1/Service',
        'v1/ServiceAccount',
      ]);
      assert.deepEqual(render(SCALED_OUT, version).kinds, [
        'apps/v1/Deployment',
        'autoscaling/v2/HorizontalPodAutoscaler',
        'networking.k8s.io/v1/NetworkPolicy',
        'policy/v1/PodDisruptionBudget',
        'v1/Service',
        'v1/ServiceAccount',
      ]);
    }
  });

  it('runs every container unprivileged on a read-only root filesystem', () => {
    for (const values of [{}, SCALED_OUT]) {
      const rendered = render(values);
      const pod = podSpec(rendered);
      assertIncludes(pod.securityContext, { runAsNonRoot: true, runAsUser: 10001 });
      assert.deepEqual(pod.securityContext?.seccompProfile, { type: 'RuntimeDefault' });
      assert.equal(pod.automountServiceAccountToken, false);
      const containers = [...pod.containers, ...(pod.initContainers ?? [])];
      for (const container of containers) {
        assertIncludes(
          container.securityContext,
          {
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            runAsNonRoot: true,
          },
          container.name,
        );
        assert.deepEqual(container.securityContext?.capabilities, { drop: ['ALL'] });
        assert.equal(container.image, 'registry.example.org/enlace:0.1.0');
      }
      const mounts = gateway(rendered).volumeMounts!.map((mount) => mount.mountPath);
      for (const member of ['/var/lib/enlace', '/tmp']) assert.ok(mounts.includes(member), member);
      const sa = rendered.of('v1/ServiceAccount');
      assert.equal(sa.automountServiceAccountToken, false);
    }
  });

  it('probes /readyz for readiness and /healthz for liveness and start-up, routes the API documents', () => {
    const paths = Object.keys(
      (
        parseAllDocuments(readFileSync(OPENAPI, 'utf8'))[0]!.toJS() as {
          paths: Record<string, unknown>;
        }
      ).paths,
    );
    for (const [values, scheme] of [
      [{}, 'HTTP'],
      [SCALED_OUT, 'HTTPS'],
    ] as const) {
      const container = gateway(render(values));
      assertIncludes(container.readinessProbe?.httpGet, { path: '/readyz', port: 'http', scheme });
      assertIncludes(container.livenessProbe?.httpGet, { path: '/healthz', scheme });
      assertIncludes(container.startupProbe?.httpGet, { path: '/healthz', scheme });
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        assertIncludes(paths, probe!.httpGet!.path);
      }
    }
  });

  it('sets only variables the gateway knows, in the production profile', () => {
    const known = new Set(Object.keys(variables));
    for (const values of [{}, SCALED_OUT]) {
      const env = envOf(gateway(render(values)));
      for (const name of env.keys()) assertIncludes(known, name, name);
      assert.equal(env.get('ENLACE_PROFILE')?.value, 'production');
      assert.equal(env.get('ENLACE_PUBLIC_URL')?.value, PUBLIC_URL);
      assert.equal(env.get('ENLACE_DATA_DIR')?.value, '/var/lib/enlace');
    }
  });

  it('keeps one pod on SQLite, stopping the old pod before the new one opens the database', () => {
    const rendered = render({});
    assert.equal(rendered.deployment.spec?.replicas, 1);
    assert.deepEqual(rendered.deployment.spec.strategy, { type: 'Recreate' });
    assert.equal(envOf(gateway(rendered)).has('ENLACE_DATABASE_URL'), false);
    const claim = rendered.of('v1/PersistentVolumeClaim');
    assert.deepEqual(claim.metadata?.annotations, { 'helm.sh/resource-policy': 'keep' });
    const data = podSpec(rendered).volumes!.find((volume) => volume.name === 'data');
    assert.equal(data?.persistentVolumeClaim?.claimName, claim.metadata.name);
  });

  it('refuses more than one pod without PostgreSQL, naming the fix', () => {
    for (const scale of [{ replicaCount: 2 }, { autoscaling: { enabled: true } }]) {
      const error = renderError(scale);
      assertIncludes(error, 'needs PostgreSQL: SQLite is single-instance');
      assertIncludes(error, 'database.existingSecret');
    }
  });

  it('refuses several pods with their own keys or one ReadWriteOnce volume', () => {
    const database = { existingSecret: 'enlace-database' };
    assertIncludes(
      renderError({ replicaCount: 3, database }),
      'needs keys.existingSecret: instances sharing a database must share',
    );
    assertIncludes(
      renderError({ replicaCount: 3, database, keys: { existingSecret: 'enlace-keys' } }),
      'cannot share one ReadWriteOnce volume',
    );
  });

  it('refuses a data directory that dies with the pod while it holds the database or the keys', () => {
    assertIncludes(
      renderError({ persistence: { enabled: false } }),
      'would lose the SQLite database at every pod restart',
    );
    assertIncludes(
      renderError({
        persistence: { enabled: false },
        database: { existingSecret: 'enlace-database' },
      }),
      'would create new keys at every pod restart',
    );
  });

  it('refuses TLS without a certificate Secret and client certificates kubelet cannot present', () => {
    assertIncludes(renderError({ tls: { enabled: true } }), 'tls.existingSecret');
    assertIncludes(
      renderError({ tls: { enabled: true, existingSecret: 'enlace-tls', clientAuth: 'require' } }),
      'kubelet probe',
    );
  });

  it('takes the database URL from the Secret, never from a value in the manifest', () => {
    const env = envOf(gateway(render(SCALED_OUT)));
    assert.deepEqual(env.get('ENLACE_DATABASE_URL'), {
      name: 'ENLACE_DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'enlace-database', key: 'database-url' } },
    });
    assert.equal(
      env.get('ENLACE_TRUST_CRL_FILES')?.value,
      '/etc/enlace/trust/national.crl:/etc/enlace/trust/regional.crl',
    );
    assert.equal(env.get('ENLACE_TLS_KEY_FILE')?.value, '/run/enlace/tls/tls.key');
  });

  it('ships no Secret and no secret value: key material is copied from Secrets the operator made', () => {
    for (const values of [{}, SCALED_OUT]) {
      const rendered = render(values);
      assert.ok(!rendered.manifests.map((manifest) => manifest.kind).includes('Secret'));
      for (const variable of gateway(rendered).env ?? []) {
        if (/SECRET|PASSWORD|DATABASE_URL|TOKEN|_KEY$/.test(variable.name)) {
          assert.equal(variable.value, undefined, variable.name);
        }
      }
    }
    const pod = podSpec(render(SCALED_OUT));
    const init = pod.initContainers!.find((container) => container.name === 'copy-secrets')!;
    const script = init.command!.join(' ');
    assertIncludes(script, 'install -m 0600');
    for (const line of [
      'copy /etc/enlace/secrets/keys /var/lib/enlace/keys',
      'copy /etc/enlace/secrets/pki /var/lib/enlace/pki',
      'copy /etc/enlace/secrets/tls /run/enlace/tls',
    ]) {
      assertIncludes(script, line);
    }
    const secrets = pod.volumes!.flatMap((volume) =>
      volume.secret === undefined ? [] : [volume.secret.secretName],
    );
    assert.deepEqual(secrets.sort(), ['enlace-keys', 'enlace-pki', 'enlace-tls']);
    // The gateway's container sees only the owner-only copies, never the Secret volumes.
    const mounted = gateway(render(SCALED_OUT)).volumeMounts!.map((mount) => mount.name);
    for (const member of ['keys-source', 'pki-source', 'tls-source'])
      assert.ok(!mounted.includes(member), member);
  });

  it('copies Secret files, mounted as kubelet mounts them, into files the gateway accepts', async () => {
    const pod = podSpec(render(SCALED_OUT));
    const script = pod.initContainers!.find((container) => container.name === 'copy-secrets')!
      .command![2]!;
    const scratch = mkdtempSync(join(tmpdir(), 'enlace-copy-'));
    try {
      // A Secret volume: each key a link into ..data, itself a link to a timestamped folder.
      for (const [name, files] of Object.entries({
        keys: { 'data-keys.json': '{"current":"k","keys":{}}', 'audit-log.key': 'secret' },
        pki: { 'issuing-ca.key.pem': 'pem' },
        tls: { 'tls.crt': 'crt', 'tls.key': 'key' },
      })) {
        const volume = join(scratch, 'secrets', name);
        mkdirSync(join(volume, '..2026_01_01'), { recursive: true });
        symlinkSync('..2026_01_01', join(volume, '..data'));
        for (const [file, text] of Object.entries(files)) {
          writeFileSync(join(volume, '..2026_01_01', file), text, { mode: 0o440 });
          symlinkSync(join('..data', file), join(volume, file));
        }
      }
      mkdirSync(join(scratch, 'data'));
      mkdirSync(join(scratch, 'run'));
      const local = script
        .replaceAll('/etc/enlace/secrets', join(scratch, 'secrets'))
        .replaceAll('/var/lib/enlace', join(scratch, 'data'))
        .replaceAll('/run/enlace', join(scratch, 'run'));
      const result = spawnSync('sh', ['-ec', local], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(
        await readPrivateFile(join(scratch, 'data/keys/audit-log.key'), 'key file'),
        'secret',
      );
      assert.equal(await readPrivateFile(join(scratch, 'run/tls/tls.key'), 'key file'), 'key');
      assert.equal(
        await readPrivateFile(join(scratch, 'data/pki/issuing-ca.key.pem'), 'CA'),
        'pem',
      );
      // The mounted files themselves are what the gateway would refuse.
      await assert.rejects(
        readPrivateFile(join(scratch, 'secrets/keys/audit-log.key'), 'key file'),
        /symbolic link/,
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('scales out with rolling updates, an autoscaler and a disruption budget', () => {
    const rendered = render(SCALED_OUT);
    assert.equal(rendered.deployment.spec?.replicas, undefined);
    assert.equal(rendered.deployment.spec?.strategy?.type, 'RollingUpdate');
    const hpa = rendered.of('autoscaling/v2/HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec?.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: rendered.deployment.metadata?.name,
    });
    const pdb = rendered.of('policy/v1/PodDisruptionBudget');
    assert.equal(pdb.spec?.maxUnavailable, 1);
    assert.deepEqual(pdb.spec.selector, rendered.deployment.spec.selector);
  });

  it('lets traffic in only to the gateway port and out only to DNS, PostgreSQL and partners', () => {
    const specOf = (policy: NetworkPolicy) => {
      assert.ok(policy.spec, 'a NetworkPolicy without spec');
      return policy.spec;
    };
    const egressPorts = (policy: NetworkPolicy) =>
      (specOf(policy).egress ?? []).map((rule) => (rule.ports ?? []).map((port) => port.port));
    const single = render({}).of('networking.k8s.io/v1/NetworkPolicy');
    assert.deepEqual(specOf(single).policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(specOf(single).ingress, [{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    assert.deepEqual(egressPorts(single), [[53, 53], [443]]);

    const scaled = render({
      ...SCALED_OUT,
      networkPolicy: {
        ingress: { from: [{ namespaceSelector: { matchLabels: { name: 'ingress' } } }] },
        egress: {
          postgresql: { to: [{ ipBlock: { cidr: '10.20.0.5/32' } }] },
          partners: { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [443, 8443] },
        },
      },
    }).of('networking.k8s.io/v1/NetworkPolicy');
    const { ingress } = specOf(scaled);
    const egress = specOf(scaled).egress ?? [];
    assert.deepEqual(ingress?.[0]?.from, [
      { namespaceSelector: { matchLabels: { name: 'ingress' } } },
    ]);
    assert.deepEqual(egressPorts(scaled), [[53, 53], [5432], [443, 8443]]);
    assert.deepEqual(egress[1]?.to, [{ ipBlock: { cidr: '10.20.0.5/32' } }]);
    assert.deepEqual(egress[2]?.to, [{ ipBlock: { cidr: '203.0.113.0/24' } }]);
  });

  it('pins the image by digest when one is given', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const rendered = render({ ...SCALED_OUT, image: { repository: 'r.example/enlace', digest } });
    const pod = podSpec(rendered);
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      assert.equal(container.image, `r.example/enlace@${digest}`);
    }
  });

  it('keeps secrets and the variables the chart sets out of env', () => {
    const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as {
      properties: { env: { propertyNames: { not: { enum: string[] } } } };
    };
    const refused = new Set(schema.properties.env.propertyNames.not.enum);
    const secrets = Object.entries(variables).flatMap(([name, spec]) =>
      'secret' in spec ? [name] : [],
    );
    const chartSet = [...envOf(gateway(render(SCALED_OUT))).keys()].filter(
      (name) => !(name in SCALED_OUT.env),
    );
    for (const name of [...secrets, ...chartSet]) assertIncludes(refused, name, name);
  });

  it('prints notes that say where the state lives and which Secrets it reads', () => {
    const notes = (values: Record<string, unknown>) => {
      const result = runHelm(
        ['install', 'gw', CHART, '--namespace', 'enlace', '--dry-run=client', '-f', '-'],
        { publicUrl: PUBLIC_URL, ...values },
      );
      assert.equal(result.status, 0, result.stderr);
      return result.stdout.slice(result.stdout.indexOf('NOTES:'));
    };
    const single = notes({});
    assertIncludes(single, 'curl http://127.0.0.1:8080/readyz');
    assertIncludes(single, 'SQLite in the data volume; this release must keep one pod');
    assertIncludes(single, 'node bin/enlace.js pki init');
    const scaled = notes(SCALED_OUT);
    assertIncludes(scaled, 'curl -k https://127.0.0.1:8080/readyz');
    assertIncludes(scaled, 'PostgreSQL, from Secret enlace-database (key database-url)');
    assertIncludes(scaled, 'copied from Secret enlace-keys at each pod start');
    assert.ok(!scaled.includes('pki init'));
  });

  it('rejects values outside values.schema.json', () => {
    assertIncludes(renderError({ publicUrl: 'ftp://gateway.example.org' }), '/publicUrl');
    assertIncludes(renderError({ image: { repository: 'r', digest: 'latest' } }), '/image/digest');
    assertIncludes(
      renderError({ env: { ENLACE_DATABASE_URL: 'postgres://u:p@db/enlace' } }),
      "invalid propertyName 'ENLACE_DATABASE_URL'",
    );
    assertIncludes(renderError({ replicas: 2 }), 'replicas');
  });
});
