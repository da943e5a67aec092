package dev.ferry.ftps.command;

import dev.ferry.ftps.listing.ListingFormat;
import java.time.Clock;
import org.apache.ftpserver.command.CommandFactory;
import org.apache.ftpserver.command.CommandFactoryFactory;

/**
 * FtpServer's commands with Ferry's in place of every one that touches files, and FEAT listing
 * what Ferry answers. Session, TLS and data-connection commands (USER, PASS, AUTH, PBSZ, PROT,
 * PASV, EPSV, PORT, REST, TYPE, ...) stay FtpServer's.
 */
public final class GatewayCommands {

  private GatewayCommands() {}

  /** {@code deflateOffered}: MODE Z in FEAT and accepted ({@code ftps.modeZ}). */
  public static CommandFactory create(Clock clock, CommandsInFlight inFlight, boolean deflateOffered) {
    CommandFactoryFactory factory = new CommandFactoryFactory() {
      @Override
      public void addCommand(String name, org.apache.ftpserver.command.Command command) {
        super.addCommand(name, command instanceof GatewayCommand files ? files.countedIn(inFlight) : command);
      }
    };
    factory.addCommand("STOR", new StoreCommand(false));
    factory.addCommand("APPE", new StoreCommand(true));
    factory.addCommand("RETR", new RetrieveCommand());
    factory.addCommand("LIST", new ListCommand(ListingFormat.LIST, clock));
    factory.addCommand("NLST", new ListCommand(ListingFormat.NLST, clock));
    factory.addCommand("MLSD", new ListCommand(ListingFormat.MLSD, clock));
    factory.addCommand("MLST", new MlstCommand());
    factory.addCommand("CWD", new CwdCommand());
    factory.addCommand("CDUP", new CdupCommand());
    factory.addCommand("CUP", new CdupCommand()); // XCUP: FtpServer drops the X of every command
    factory.addCommand("SIZE", new SizeCommand());
    factory.addCommand("MDTM", new MdtmCommand());
    factory.addCommand("DELE", new DeleCommand());
    factory.addCommand("MKD", new MkdCommand());
    factory.addCommand("RMD", new RmdCommand());
    factory.addCommand("RNFR", new RnfrCommand());
    factory.addCommand("RNTO", new RntoCommand());
    factory.addCommand("MFMT", new MfmtCommand());
    factory.addCommand("FEAT", new FeatCommand(deflateOffered));
    factory.addCommand("MODE", new ModeCommand(deflateOffered));
    factory.addCommand("SYST", new SystCommand());
    factory.addCommand("STAT", new StatCommand(new PathStatusCommand(clock).countedIn(inFlight)));
    factory.addCommand("STOU", new RefusedCommand("STOU is not supported: name the file with STOR"));
    factory.addCommand("MD5", new RefusedCommand("MD5 is not supported (Ferry keeps each file's SHA-256 in S3)"));
    factory.addCommand("MMD5", new RefusedCommand("MMD5 is not supported (Ferry keeps each file's SHA-256 in S3)"));
    factory.addCommand("LANG", new RefusedCommand("LANG is not supported: replies are in English"));
    factory.addCommand("SITE", new RefusedCommand("SITE commands are not supported"));
    return factory.createCommandFactory();
  }
}
