import { makeStyles, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { useFormat } from './format.js';

export interface HourBar {
  readonly hour: string;
  readonly relayed: number;
  readonly refused: number;
}

const useStyles = makeStyles({
  legend: { display: 'flex', gap: tokens.spacingHorizontalL, marginTop: tokens.spacingVerticalS },
  swatch: {
    display: 'inline-block',
    width: '12px',
    height: '12px',
    marginRight: tokens.spacingHorizontalXS,
    verticalAlign: 'middle',
  },
});

const SENT = '#0f6cbd';
const REFUSED = '#c50f1f';

/**
 * Messages sent and refused per hour as stacked SVG bars. The SVG is a labelled image and the same
 * numbers are in a visually hidden table, so screen readers get the data, not the drawing.
 */
export function BarChart(props: { data: readonly HourBar[] }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const fmt = useFormat();
  const width = 720;
  const height = 200;
  const pad = { left: 40, bottom: 24, top: 8 };
  const max = Math.max(1, ...props.data.map((d) => d.relayed + d.refused));
  const slot = (width - pad.left) / Math.max(1, props.data.length);
  const barWidth = Math.max(2, slot * 0.7);
  const plotHeight = height - pad.bottom - pad.top;
  const y = (v: number) => (v / max) * plotHeight;
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={t('home.chartLabel')}
        data-testid="hourly-chart"
      >
        <line x1={pad.left} x2={width} y1={height - pad.bottom} y2={height - pad.bottom} stroke="#8a8886" />
        <text x={pad.left - 6} y={pad.top + 10} textAnchor="end" fontSize="11" fill="#605e5c">
          {fmt.number(max)}
        </text>
        <text x={pad.left - 6} y={height - pad.bottom} textAnchor="end" fontSize="11" fill="#605e5c">
          {fmt.number(0)}
        </text>
        {props.data.map((d, i) => {
          const x = pad.left + i * slot + (slot - barWidth) / 2;
          const hRelayed = y(d.relayed);
          const hRefused = y(d.refused);
          const base = height - pad.bottom;
          return (
            <g key={d.hour}>
              <rect x={x} y={base - hRelayed} width={barWidth} height={hRelayed} fill={SENT} />
              <rect x={x} y={base - hRelayed - hRefused} width={barWidth} height={hRefused} fill={REFUSED} />
              {i % 3 === 0 ? (
                <text x={x + barWidth / 2} y={height - 6} textAnchor="middle" fontSize="10" fill="#605e5c">
                  {fmt.hour(d.hour)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className={styles.legend}>
        <span>
          <span className={styles.swatch} style={{ background: SENT }} aria-hidden="true" />
          {t('home.sent')}
        </span>
        <span>
          <span className={styles.swatch} style={{ background: REFUSED }} aria-hidden="true" />
          {t('home.refused')}
        </span>
      </figcaption>
      <table className="sw-visually-hidden">
        <caption>{t('home.chartLabel')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('home.hour')}</th>
            <th scope="col">{t('home.sent')}</th>
            <th scope="col">{t('home.refused')}</th>
          </tr>
        </thead>
        <tbody>
          {props.data.map((d) => (
            <tr key={d.hour}>
              <th scope="row">{fmt.hour(d.hour)}</th>
              <td>{fmt.number(d.relayed)}</td>
              <td>{fmt.number(d.refused)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
