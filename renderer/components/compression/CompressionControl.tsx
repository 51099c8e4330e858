import { FidelityPlot } from './FidelityPlot.js';
import { MethodPicker } from './MethodPicker.js';
import { RatioSlider } from './RatioSlider.js';
import { ViewSummary } from './ViewSummary.js';

/** How much of the document's cache to keep, and how to choose it. */
export function CompressionControl() {
  return (
    <section className="panel-section compression" aria-labelledby="compression-title">
      <h2 id="compression-title" className="section-title">
        Compression
      </h2>
      <RatioSlider />
      <MethodPicker />
      <ViewSummary />
      <FidelityPlot />
    </section>
  );
}
