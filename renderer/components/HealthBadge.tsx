export type Health = 'green' | 'yellow' | 'red' | 'unreachable' | 'unknown';

const LABELS: Record<Health, string> = {
  green: 'Green',
  yellow: 'Yellow',
  red: 'Red',
  unreachable: 'Unreachable',
  unknown: 'Checking…',
};

export function HealthBadge({ health, testId }: { health: Health; testId?: string }) {
  return (
    <span className={`badge health-${health}`} data-testid={testId} data-health={health}>
      <span className="dot" aria-hidden="true" />
      {LABELS[health]}
    </span>
  );
}
