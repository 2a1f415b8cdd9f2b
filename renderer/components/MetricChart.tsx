/** The query-set metric over slider moves (and over tuner trials), with the baseline as a line. */
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export interface ChartPoint {
  x: number;
  [series: string]: number | null | string;
}

export interface MetricChartProps {
  data: ChartPoint[];
  series: Array<{ key: string; label: string; colour: string; dashed?: boolean }>;
  baseline?: number | null;
  xLabel: string;
  yLabel: string;
  height?: number;
  testId?: string;
  describe?: (point: ChartPoint) => string;
  /** 'linear' joins measured points honestly; 'stepAfter' for values that hold until the next change. */
  curve?: 'linear' | 'stepAfter';
}

export function MetricChart({
  data,
  series,
  baseline,
  xLabel,
  yLabel,
  height = 220,
  testId,
  describe,
  curve = 'linear',
}: MetricChartProps) {
  return (
    <div
      className="metric-chart"
      data-testid={testId}
      data-points={data.length}
      role="img"
      aria-label={`${yLabel} over ${xLabel}: ${data.length} points`}
    >
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#eef0f3" />
          <XAxis
            dataKey="x"
            tick={{ fontSize: 11 }}
            label={{ value: xLabel, position: 'insideBottomRight', offset: -2, fontSize: 11 }}
          />
          <YAxis
            tick={{ fontSize: 11 }}
            domain={['auto', 'auto']}
            width={52}
            tickFormatter={(v: number) => v.toFixed(3)}
          />
          <Tooltip
            formatter={(value) => (typeof value === 'number' ? value.toFixed(4) : String(value))}
            labelFormatter={(label, payload) => {
              const point = payload?.[0]?.payload as ChartPoint | undefined;
              return point && describe ? describe(point) : `${xLabel} ${String(label)}`;
            }}
          />
          {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
          {baseline !== undefined && baseline !== null ? (
            <ReferenceLine
              y={baseline}
              stroke="#98a1b2"
              strokeDasharray="4 4"
              label={{
                value: 'baseline',
                fontSize: 11,
                fill: '#667085',
                position: 'insideTopLeft',
              }}
            />
          ) : null}
          {series.map((s) => (
            <Line
              key={s.key}
              type={curve}
              dataKey={s.key}
              name={s.label}
              stroke={s.colour}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '5 4' : undefined}
              dot={data.length < 40}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
