"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** Colour-blind-friendly palette (Okabe–Ito), dark enough for lines on white. */
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D1F"];

export interface ChartPoint {
  bucket: string;
  [series: string]: number | string;
}

export default function SpendChart({
  data,
  series,
  unit,
}: {
  data: ChartPoint[];
  series: string[];
  unit: "usd" | "tokens";
}) {
  return (
    <ResponsiveContainer width="100%" height={280}>
      <BarChart data={data} margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="bucket" />
        <YAxis tickFormatter={(v: number) => (unit === "usd" ? `$${v}` : v.toLocaleString("en-US"))} />
        <Tooltip
          formatter={(v) => (unit === "usd" ? `$${Number(v).toFixed(4)}` : Number(v).toLocaleString("en-US"))}
        />
        <Legend />
        {series.map((s, i) => (
          <Bar key={s} dataKey={s} stackId="a" fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
