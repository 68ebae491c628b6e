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
    private readonly int _activityId;
    private readonly string _activity;
    private readonly int _parentActivityId;
    private string _status = "Starting";
    private long _lastReport;
    private bool _written;

    internal ProgressReporter(Cmdlet cmdlet, int activityId, string activity, int parentActivityId = -1)
    {
        _cmdlet = cmdlet;
        _activityId = activityId;
        _activity = activity;
        _parentActivityId = parentActivityId;
    }

    internal void Report(long done, long total, string status)
    {
        long now = Stopwatch.GetTimestamp();
        if (_written && now - _lastReport < Interval)
        {
            return;
        }

        _lastReport = now;
        _status = status;
        Write(ProgressRecordType.Processing, total <= 0 ? 0 : (int)Math.Clamp(done * 100 / total, 0, 100));
        _written = true;
    }

    internal void Complete()
    {
        if (!_written)
        {
            return;
        }

        Write(ProgressRecordType.Completed, 100);
        _written = false;
    }

    /// <summary>A new record each time: a host may keep the ones it was given (Streams.Progress does), so one must never change after it is
    /// written.</summary>
    private void Write(ProgressRecordType type, int percent)
        => _cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, _status)
        {
            ParentActivityId = _parentActivityId,
            PercentComplete = percent,
            RecordType = type,
        });
}
