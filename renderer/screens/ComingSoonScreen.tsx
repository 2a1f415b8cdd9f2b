import type { ScreenInfo } from './registry.ts';

export function ComingSoonScreen({ screen }: { screen: ScreenInfo }) {
  return (
    <div className="coming-soon" data-testid={`screen-${screen.id}-coming-soon`}>
      <p className="eyebrow">Coming in a later release</p>
      <h2>{screen.label} is not built yet</h2>
      <p className="muted">
        Nothing on this screen works yet, so it shows nothing rather than sample data. What it will
        do:
      </p>
      <ul className="plan">
        {(screen.plan ?? []).map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  );
}
