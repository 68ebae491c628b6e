using Mxfp4.Shell;

return ShellProgram.Run(args, ShellStreams.FromConsole(), session =>
    Console.CancelKeyPress += (_, eventArgs) =>
    {
        // Keep the process alive: the stopped command makes the Run method return its exit code.
        eventArgs.Cancel = true;
        session.Stop();
    });
