import {
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  ListMFADevicesCommand,
  type MFADevice,
} from '@aws-sdk/client-iam';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, type Clients } from '../api.js';
import { ErrorMessage, formatDate, Section, useLoad } from '../components.js';

/** A PNG's bytes as a data: URL (the page's CSP allows data: images, and nothing is fetched for it). */
export function pngUrl(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/png;base64,${btoa(binary)}`;
}

interface Pending {
  readonly serial: string;
  readonly qr: string;
  readonly seed: string;
}

/** The user's MFA devices: assign a virtual one (QR code or its secret key, then two consecutive codes), remove one. */
export function MfaDevices({ clients, userName }: { clients: Clients; userName: string }) {
  const { iam } = clients;
  const devices = useLoad(() => iam.send(new ListMFADevicesCommand({ UserName: userName })), `mfa:${userName}`);
  const [pending, setPending] = useState<Pending>();
  const [deviceName, setDeviceName] = useState(userName);
  const [naming, setNaming] = useState(false);
  const [showSeed, setShowSeed] = useState(false);
  const [code1, setCode1] = useState('');
  const [code2, setCode2] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string>();
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (pending !== undefined || naming) panel.current?.focus();
  }, [pending, naming]);

  async function act(work: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  const create = (event: Event) => {
    event.preventDefault();
    return act(async () => {
      const answer = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: deviceName }));
      const device = answer.VirtualMFADevice;
      if (device?.SerialNumber === undefined || device.QRCodePNG === undefined || device.Base32StringSeed === undefined) throw new Error('The new device came without its QR code.');
      setPending({ serial: device.SerialNumber, qr: pngUrl(device.QRCodePNG), seed: new TextDecoder().decode(device.Base32StringSeed) });
      setNaming(false);
    });
  };
  const enable = (event: Event) => {
    event.preventDefault();
    const current = pending;
    if (current === undefined) return undefined;
    return act(async () => {
      await iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: current.serial, AuthenticationCode1: code1, AuthenticationCode2: code2 }));
      setPending(undefined);
      setCode1('');
      setCode2('');
      setShowSeed(false);
      devices.reload();
    });
  };
  // A device created and never enabled would keep its name taken: it is deleted when the person gives up.
  const cancel = () =>
    act(async () => {
      if (pending !== undefined) await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: pending.serial }));
      setPending(undefined);
      setNaming(false);
      setShowSeed(false);
    });
  const remove = (device: MFADevice) =>
    act(async () => {
      await iam.send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: device.SerialNumber }));
      await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.SerialNumber }));
      setConfirming(undefined);
      devices.reload();
    });

  return (
    <Section
      title="MFA devices"
      id="mfa"
      loaded={devices}
      actions={
        pending === undefined && !naming ? (
          <button type="button" disabled={busy} onClick={() => setNaming(true)}>
            Assign MFA device
          </button>
        ) : undefined
      }
    >
      {(data) => (
        <>
          <ErrorMessage text={error} />
          {naming ? (
            <div ref={panel} tabIndex={-1} class="secret">
              <form class="form" onSubmit={create}>
                <label for="mfa-device-name">Device name</label>
                <input id="mfa-device-name" required maxLength={512} value={deviceName} onInput={(e) => setDeviceName(e.currentTarget.value)} />
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
            <div ref={panel} tabIndex={-1} class="secret" role="region" aria-label="Set up the MFA device">
              <h3>Set up the virtual MFA device</h3>
              <p>Scan the QR code with an authenticator app, or type its secret key. Then enter two consecutive codes it shows.</p>
              <img class="qr" src={pending.qr} alt="QR code of the new MFA device" width={200} height={200} />
              <p>
                <button type="button" onClick={() => setShowSeed(!showSeed)} aria-expanded={showSeed} aria-controls="mfa-seed">
                  {showSeed ? 'Hide secret key' : 'Show secret key'}
                </button>
              </p>
              {showSeed ? (
                <p id="mfa-seed" class="code" data-testid="mfa-seed">
                  {pending.seed}
                </p>
              ) : null}
              <form class="form" onSubmit={enable}>
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
          {(data.MFADevices ?? []).length === 0 ? (
            <p class="muted">No MFA device.</p>
          ) : (
            <ul class="plain devices">
              {(data.MFADevices ?? []).map((device) => (
                <li key={device.SerialNumber}>
                  <span class="code">{device.SerialNumber}</span> <span class="muted">enabled {formatDate(device.EnableDate)}</span>{' '}
                  {confirming === device.SerialNumber ? (
                    <span class="row-actions">
                      <button type="button" class="danger" disabled={busy} onClick={() => remove(device)}>
                        Confirm removing
                      </button>
                      <button type="button" onClick={() => setConfirming(undefined)}>
                        Cancel
                      </button>
                    </span>
                  ) : (
                    <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(device.SerialNumber)} aria-label={`Remove ${device.SerialNumber}`}>
                      Remove
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}
