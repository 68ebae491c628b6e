using System.Diagnostics;
using System.Management.Automation;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>
/// Progress for one long operation, written from the pipeline thread only. The first report is always written, so
/// even a short operation shows where it started; after it, at most four a second (each record costs the host a
/// redraw). <see cref="Complete"/> writes the Completed record that clears the bar.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly long Interval = Stopwatch.Frequency / 4;

    private readonly Cmdlet _cmdlet;
    private readonly ProgressRecord _record;
    private long _lastReport;
    private bool _written;

    internal ProgressReporter(Cmdlet cmdlet, int activityId, string activity, int parentActivityId = -1)
    {
        _cmdlet = cmdlet;
        _record = new ProgressRecord(activityId, activity, "Starting") { ParentActivityId = parentActivityId };
    }

    internal void Report(long done, long total, string status)
    {
        long now = Stopwatch.GetTimestamp();
        if (_written && now - _lastReport < Interval)
        {
            return;
        }

        _lastReport = now;
        _record.StatusDescription = status;
        _record.PercentComplete = total <= 0 ? 0 : (int)Math.Clamp(done * 100 / total, 0, 100);
        _record.RecordType = ProgressRecordType.Processing;
        _cmdlet.WriteProgress(_record);
        _written = true;
    }

    internal void Complete()
    {
        if (!_written)
        {
            return;
        }

        _record.RecordType = ProgressRecordType.Completed;
        _record.PercentComplete = 100;
        _cmdlet.WriteProgress(_record);
        _written = false;
    }
}
