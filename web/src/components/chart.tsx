import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  label: string;
  color: string;
  /** Shown after each value in the tooltip and on the axis ("%", "s", "viewers"). */
  unit: string;
  format?: (v: number) => string;
  /** 'right' puts the series on a second y axis. */
  axis?: 'left' | 'right';
  kind?: 'line' | 'bars' | 'area';
}

export interface ChartProps {
  /** Accessible name, and the tooltip's title. */
  title: string;
  x: { values: number[]; label: string; time?: boolean; format: (v: number) => string };
  series: (SeriesSpec & { values: (number | null)[] })[];
  height?: number;
  /** Vertical markers (drop-off points…), at x values, each with a label; red unless a colour is given. */
  markers?: { x: number; label: string; color?: string }[];
  yRange?: [number, number];
}

const fmtUnit = (s: SeriesSpec, v: number | null | undefined) =>
  v == null ? '—' : `${s.format ? s.format(v) : Math.round(v * 10) / 10} ${s.unit}`.trim();

/** A tooltip that follows the cursor and says the x value and every series' value there. */
function tooltipPlugin(props: ChartProps): uPlot.Plugin {
  let tip: HTMLDivElement;
  return {
    hooks: {
      init: (u) => {
        tip = document.createElement('div');
        tip.className = 'chart-tip';
        tip.style.display = 'none';
        u.over.append(tip);
        u.over.addEventListener('mouseleave', () => {
          tip.style.display = 'none';
        });
      },
      setCursor: (u) => {
        const i = u.cursor.idx;
        if (i == null || u.cursor.left == null || u.cursor.left < 0) {
          tip.style.display = 'none';
          return;
        }
        const rows = props.series
          .map(
            (s) =>
              `<div><i style="background:${s.color}"></i>${s.label}: <b>${fmtUnit(s, s.values[i])}</b></div>`,
          )
          .join('');
        tip.innerHTML = `<div class="chart-tip-x">${props.x.format(props.x.values[i]!)}</div>${rows}`;
        tip.style.display = 'block';
        const left = Math.min(u.cursor.left + 12, u.over.clientWidth - tip.offsetWidth - 4);
        tip.style.left = `${Math.max(0, left)}px`;
        tip.style.top = `${Math.max(0, (u.cursor.top ?? 0) - tip.offsetHeight - 8)}px`;
      },
    },
  };
}

/** Draws the markers as dashed vertical lines with their labels. */
function markersPlugin(markers: NonNullable<ChartProps['markers']>): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.setLineDash([4, 4]);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        for (const m of markers) {
          ctx.strokeStyle = m.color ?? '#b42318';
          ctx.fillStyle = m.color ?? '#b42318';
          const x = Math.round(u.valToPos(m.x, 'x', true));
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillText(m.label, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

/**
 * A uPlot chart that fills its container's width: axes with their units, a tooltip with every
 * series at the cursor, optional markers. uPlot draws on canvas, so 100,000 points stay smooth.
 */
export function Chart(props: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const right = props.series.find((s) => s.axis === 'right');
    const left = props.series.find((s) => s.axis !== 'right') ?? props.series[0]!;
    const axisOf = (s: SeriesSpec) => (s.axis === 'right' ? 'y2' : 'y');
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: props.height ?? 260,
      title: undefined,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: props.x.time ?? false },
        y: props.yRange
          ? { range: props.yRange }
          : { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
        ...(right ? { y2: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } } : {}),
      },
      axes: [
        {
          label: props.x.label,
          values: (_u, ticks) => ticks.map((t) => props.x.format(t)),
          stroke: '#3d4350',
          grid: { stroke: '#eceef2' },
        },
        {
          scale: 'y',
          label: left.unit ? `${left.label} (${left.unit})` : left.label,
          values: (_u, ticks) => ticks.map((t) => (left.format ? left.format(t) : String(t))),
          stroke: '#3d4350',
          grid: { stroke: '#eceef2' },
          size: 60,
        },
        ...(right
          ? [
              {
                scale: 'y2',
                side: 1 as const,
                label: right.unit ? `${right.label} (${right.unit})` : right.label,
                values: (_u: uPlot, ticks: number[]) =>
                  ticks.map((t) => (right.format ? right.format(t) : String(t))),
                stroke: '#3d4350',
                grid: { show: false },
                size: 72,
              },
            ]
          : []),
      ],
      series: [
        { label: props.x.label, value: (_u, v) => (v == null ? '—' : props.x.format(v)) },
        ...props.series.map((s) => ({
          label: s.label,
          scale: axisOf(s),
          stroke: s.color,
          width: 2,
          ...(s.kind === 'area' ? { fill: `${s.color}33` } : {}),
          ...(s.kind === 'bars'
            ? { fill: `${s.color}cc`, paths: uPlot.paths.bars!({ size: [0.7, 40] }), points: { show: false } }
            : {}),
          value: (_u: uPlot, v: number | null) => fmtUnit(s, v),
        })),
      ],
      plugins: [tooltipPlugin(props), ...(props.markers?.length ? [markersPlugin(props.markers)] : [])],
    };
    const data = [props.x.values, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, el.clientWidth), height: opts.height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props]);
  return <div className="chart" ref={host} role="img" aria-label={props.title} />;
}
