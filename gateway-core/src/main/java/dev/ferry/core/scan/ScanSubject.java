package dev.ferry.core.scan;

/**
 * What an upload is, as a scan's match sees it: {@code origin} is who writes it (client, sync,
 * watch, workflow: the event origins' kinds, lower case), {@code user} the client's login name
 * (null for the others), {@code path} the client's path, or "/" and the object's key where no
 * client path names it (as workflows match such uploads).
 */
public record ScanSubject(String origin, String user, String path) {}
