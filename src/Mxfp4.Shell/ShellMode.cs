namespace Mxfp4.Shell;

public enum ShellMode
{
    Interactive,
    Command,
    File,
    Help,
}
