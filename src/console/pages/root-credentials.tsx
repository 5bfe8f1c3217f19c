import { CreateVirtualMFADeviceCommand, DeleteVirtualMFADeviceCommand, ListMFADevicesCommand, type ListMFADevicesCommandOutput } from '@aws-sdk/client-iam';
import { useEffect, useRef, useState } from 'preact/hooks';
import { changeRootCredentials, errorText, type Clients, type RootCredentialsRequest } from '../api.js';
import { ErrorMessage, formatDate, PageHeading, Section, useLoad, type Loaded } from '../components.js';
import { pngUrl } from './mfa-devices.js';

/** AWS's rules for the root password, which IAM's password policy does not govern. */
const ROOT_PASSWORD_RULES = ['8 to 128 characters', 'At least three of: uppercase letters, lowercase letters, numbers, symbols', 'Not the current password'];

/**
 * The root user's security credentials, as AWS's console keeps them for root: its password and its MFA devices. Both
 * go through the console's root credentials endpoint (AWS offers no API for either); every change asks for the
 * current password and, once root has an MFA device, a code of it. The MFA device itself is made with IAM's
 * CreateVirtualMFADevice, signed by this session, like any client's.
 */
export function RootCredentialsPage({ clients, account }: { clients: Clients; account: string }) {
  // ListMFADevices without a user name: the caller's own devices, root's here.
  const devices = useLoad(() => clients.iam.send(new ListMFADevicesCommand({})), 'root-mfa');
  const hasMfa = (devices.data?.MFADevices ?? []).length > 0;
  return (
    <>
      <PageHeading>My security credentials (root user)</PageHeading>
      <p class="muted">
        The root user's password and MFA devices. Every change asks for the current password{hasMfa ? ' and a code of your MFA device' : ''}.
      </p>
      <RootPassword account={account} hasMfa={hasMfa} />
      <RootMfa clients={clients} account={account} devices={devices} hasMfa={hasMfa} />
    </>
  );
}

/** The proof every change carries: the current password and, when root has MFA, a code. */
function Proof({ id, hasMfa, password, setPassword, code, setCode }: { id: string; hasMfa: boolean; password: string; setPassword: (v: string) => void; code: string; setCode: (v: string) => void }) {
  return (
    <>
      <label for={`${id}-password`}>Current root password</label>
      <input id={`${id}-password`} type="password" required autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      {hasMfa ? (
        <>
          <label for={`${id}-code`}>Code of your current MFA device</label>
          <input id={`${id}-code`} required inputMode="numeric" pattern="[0-9]{6}" maxLength={6} autocomplete="one-time-code" value={code} onInput={(e) => setCode(e.currentTarget.value.trim())} />
        </>
      ) : null}
    </>
  );
}

function RootPassword({ account, hasMfa }: { account: string; hasMfa: boolean }) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setDone(false);
    if (newPassword !== confirm) {
      setError('The new password and its confirmation differ.');
      return;
    }
    setBusy(true);
    const failure = await changeRootCredentials({ action: 'changePassword', account, password, newPassword, ...(hasMfa ? { mfaCode: code } : {}) });
    setBusy(false);
    setCode('');
    if (failure !== undefined) {
      setError(failure);
      return;
    }
    setPassword('');
    setNew('');
    setConfirm('');
    setDone(true);
  }

  return (
    <section class="panel" aria-labelledby="root-password-heading">
      <h2 id="root-password-heading">Root password</h2>
      {done ? (
        <p class="notice" role="status">
          The root password was changed. Sign in with the new one from now on.
        </p>
      ) : null}
      <form class="form" onSubmit={submit}>
        <Proof id="root-change" hasMfa={hasMfa} password={password} setPassword={setPassword} code={code} setCode={setCode} />
        <label for="root-new-password">New password</label>
        <input id="root-new-password" type="password" required autocomplete="new-password" aria-describedby="root-password-rules" value={newPassword} onInput={(e) => setNew(e.currentTarget.value)} />
        <label for="root-confirm-password">Confirm new password</label>
        <input id="root-confirm-password" type="password" required autocomplete="new-password" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
        <ul id="root-password-rules" class="muted">
          {ROOT_PASSWORD_RULES.map((rule) => (
            <li key={rule}>{rule}</li>
          ))}
        </ul>
        <ErrorMessage text={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change root password'}
          </button>
        </div>
      </form>
    </section>
  );
}

interface Pending {
  readonly serial: string;
  readonly qr: string;
  readonly seed: string;
}

function RootMfa({ clients, account, devices, hasMfa }: { clients: Clients; account: string; devices: Loaded<ListMFADevicesCommandOutput>; hasMfa: boolean }) {
  const [naming, setNaming] = useState(false);
  const [deviceName, setDeviceName] = useState('root-account-mfa-device');
  const [pending, setPending] = useState<Pending>();
  const [removing, setRemoving] = useState<string>();
  const [showSeed, setShowSeed] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [code1, setCode1] = useState('');
  const [code2, setCode2] = useState('');
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (pending !== undefined || naming || removing !== undefined) panel.current?.focus();
  }, [pending, naming, removing]);

  const reset = () => {
    setPassword('');
    setCode('');
    setCode1('');
    setCode2('');
    setShowSeed(false);
  };
  async function act(work: () => Promise<string | undefined>) {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const failure = await work();
      if (failure !== undefined) setError(failure);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }
  const create = (event: Event) => {
    event.preventDefault();
    return act(async () => {
      const device = (await clients.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: deviceName }))).VirtualMFADevice;
      if (device?.SerialNumber === undefined || device.QRCodePNG === undefined || device.Base32StringSeed === undefined) return 'The new device came without its QR code.';
      setPending({ serial: device.SerialNumber, qr: pngUrl(device.QRCodePNG), seed: new TextDecoder().decode(device.Base32StringSeed) });
      setNaming(false);
      return undefined;
    });
  };
  const send = (request: RootCredentialsRequest, done: string) =>
    act(async () => {
      const failure = await changeRootCredentials(request);
      setCode('');
      if (failure !== undefined) return failure;
      reset();
      setPending(undefined);
      setRemoving(undefined);
      setNotice(done);
      devices.reload();
      return undefined;
    });
  const enable = (event: Event) => {
    event.preventDefault();
    if (pending === undefined) return undefined;
    const proof = { account, password, ...(hasMfa ? { mfaCode: code } : {}) };
    return send({ ...proof, action: 'enableMfa', serialNumber: pending.serial, authenticationCode1: code1, authenticationCode2: code2 }, 'The MFA device was assigned to the root user.');
  };
  const remove = (event: Event) => {
    event.preventDefault();
    if (removing === undefined) return undefined;
    return send({ account, password, mfaCode: code, action: 'removeMfa', serialNumber: removing }, 'The MFA device was removed.');
  };
  // A device created and never assigned would keep its name taken: it is deleted when the person gives up.
  const cancel = () =>
    act(async () => {
      if (pending !== undefined) await clients.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: pending.serial }));
      setPending(undefined);
      setNaming(false);
      setRemoving(undefined);
      reset();
      return undefined;
    });
  const idle = pending === undefined && !naming && removing === undefined;

  return (
    <Section
      title="Multi-factor authentication (MFA)"
      id="root-mfa"
      loaded={devices}
      actions={
        idle ? (
          <button type="button" disabled={busy} onClick={() => setNaming(true)}>
            Assign MFA device
          </button>
        ) : undefined
      }
    >
      {(data) => (
        <>
          {notice !== undefined ? (
            <p class="notice" role="status">
              {notice}
            </p>
          ) : null}
          <ErrorMessage text={error} />
          {naming ? (
            <div ref={panel} tabIndex={-1} class="secret">
              <form class="form" onSubmit={create}>
                <label for="root-mfa-name">Device name</label>
                <input id="root-mfa-name" required maxLength={512} value={deviceName} onInput={(e) => setDeviceName(e.currentTarget.value)} />
                <div class="actions">
                  <button type="submit" class="primary" disabled={busy}>
                    Continue
                  </button>
                  <button type="button" onClick={() => setNaming(false)}>
                    Cancel
                  </button>
                </div>
              </form>
            </div>
          ) : null}
          {pending !== undefined ? (
            <div ref={panel} tabIndex={-1} class="secret" role="region" aria-label="Set up the root user's MFA device">
              <h3>Set up the virtual MFA device</h3>
              <p>Scan the QR code with an authenticator app, or type its secret key. Then enter two consecutive codes it shows.</p>
              <img class="qr" src={pending.qr} alt="QR code of the new MFA device" width={200} height={200} />
              <p>
                <button type="button" onClick={() => setShowSeed(!showSeed)} aria-expanded={showSeed} aria-controls="root-mfa-seed">
                  {showSeed ? 'Hide secret key' : 'Show secret key'}
                </button>
              </p>
              {showSeed ? (
                <p id="root-mfa-seed" class="code" data-testid="mfa-seed">
                  {pending.seed}
                </p>
              ) : null}
              <form class="form" onSubmit={enable}>
                <Proof id="root-enable" hasMfa={hasMfa} password={password} setPassword={setPassword} code={code} setCode={setCode} />
                <label for="mfa-code-1">MFA code 1</label>
                <input id="mfa-code-1" required inputMode="numeric" pattern="[0-9]{6}" maxLength={6} autocomplete="one-time-code" value={code1} onInput={(e) => setCode1(e.currentTarget.value.trim())} />
                <label for="mfa-code-2">MFA code 2 (the next one)</label>
                <input id="mfa-code-2" required inputMode="numeric" pattern="[0-9]{6}" maxLength={6} autocomplete="one-time-code" value={code2} onInput={(e) => setCode2(e.currentTarget.value.trim())} />
                <div class="actions">
                  <button type="submit" class="primary" disabled={busy}>
                    Add MFA
                  </button>
                  <button type="button" disabled={busy} onClick={cancel}>
                    Cancel
                  </button>
                </div>
              </form>
            </div>
          ) : null}
          {removing !== undefined ? (
            <div ref={panel} tabIndex={-1} class="secret" role="region" aria-label="Remove the MFA device">
              <p>
                Remove <span class="code">{removing}</span> from the root user and delete it.
              </p>
              <form class="form" onSubmit={remove}>
                <Proof id="root-remove" hasMfa password={password} setPassword={setPassword} code={code} setCode={setCode} />
                <div class="actions">
                  <button type="submit" class="danger" disabled={busy}>
                    Remove MFA device
                  </button>
                  <button type="button" disabled={busy} onClick={cancel}>
                    Cancel
                  </button>
                </div>
              </form>
            </div>
          ) : null}
          {(data.MFADevices ?? []).length === 0 ? (
            <p class="muted">The root user has no MFA device.</p>
          ) : (
            <ul class="plain devices">
              {(data.MFADevices ?? []).map((device) => (
                <li key={device.SerialNumber}>
                  <span class="code">{device.SerialNumber}</span> <span class="muted">enabled {formatDate(device.EnableDate)}</span>{' '}
                  <button type="button" class="danger" disabled={busy || !idle} onClick={() => setRemoving(device.SerialNumber)} aria-label={`Remove ${device.SerialNumber ?? ''}`}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}
