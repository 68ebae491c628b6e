using System.Diagnostics.CodeAnalysis;

[assembly: SuppressMessage(
    "Design",
    "CA1032:Implement standard exception constructors",
    Scope = "namespaceanddescendants",
    Target = "~N:Mxfp4.Core",
    Justification = "Every engine exception carries a documented error id (ErrorIds); the parameterless and message-only "
        + "constructors would have to invent an id that no table explains, so the engine's exceptions do not offer them.")]
