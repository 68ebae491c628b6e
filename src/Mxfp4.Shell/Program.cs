using System.Runtime.InteropServices;
using Mxfp4.Shell;

PosixSignalRegistration? interrupt = null;
try
{
    return ShellProgram.Run(args, ShellStreams.FromConsole(), session =>
        // Ctrl+C (SIGINT, or the console break on Windows) stops the running command; cancelling the default
        // handling keeps the process alive so the Run method returns its exit code (130).
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            session.Stop();
        }));
}
finally
{
    interrupt?.Dispose();
}
