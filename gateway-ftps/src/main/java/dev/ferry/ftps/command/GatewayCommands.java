package dev.ferry.ftps.command;

import dev.ferry.core.vfs.ChecksumAlgorithm;
import dev.ferry.ftps.listing.ListingFormat;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.CommandFactory;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.command.impl.ABOR;
import org.apache.ftpserver.command.impl.ACCT;
import org.apache.ftpserver.command.impl.EPRT;
import org.apache.ftpserver.command.impl.EPSV;
import org.apache.ftpserver.command.impl.NOOP;
import org.apache.ftpserver.command.impl.PASS;
import org.apache.ftpserver.command.impl.PASV;
import org.apache.ftpserver.command.impl.PBSZ;
import org.apache.ftpserver.command.impl.PORT;
import org.apache.ftpserver.command.impl.PROT;
import org.apache.ftpserver.command.impl.PWD;
import org.apache.ftpserver.command.impl.QUIT;
import org.apache.ftpserver.command.impl.REIN;
import org.apache.ftpserver.command.impl.REST;
import org.apache.ftpserver.command.impl.STRU;
import org.apache.ftpserver.command.impl.TYPE;
import org.apache.ftpserver.command.impl.USER;

/**
 * The FTP command table: Ferry's commands for every one that touches files, FEAT and HELP listing
 * what Ferry answers, and FtpServer's own session, TLS and data-connection commands (USER, PASS,
 * AUTH, PBSZ, PROT, PASV, EPSV, PORT, REST, TYPE, ...), named here one by one rather than taken as
 * FtpServer's defaults, so that this table is the whole of what a client can run. Any other name
 * gets 502.
 */
public final class GatewayCommands {

  private GatewayCommands() {}

  /** {@code deflateOffered}: MODE Z in FEAT and accepted ({@code ftps.modeZ}). */
  public static CommandFactory create(Clock clock, CommandsInFlight inFlight, boolean deflateOffered) {
    CommandFactoryFactory factory = new CommandFactoryFactory() {
      @Override
      public void addCommand(String name, Command command) {
        super.addCommand(name, command instanceof GatewayCommand files ? files.countedIn(inFlight) : command);
      }
    };
    factory.setUseDefaultCommands(false);
    factory.addCommand("STOR", new StoreCommand(false));
    factory.addCommand("APPE", new StoreCommand(true));
    factory.addCommand("RETR", new RetrieveCommand());
    factory.addCommand("LIST", new ListCommand(ListingFormat.LIST, clock));
    factory.addCommand("NLST", new ListCommand(ListingFormat.NLST, clock));
    factory.addCommand("MLSD", new ListCommand(ListingFormat.MLSD, clock));
    factory.addCommand("MLST", new MlstCommand());
    factory.addCommand("CWD", new CwdCommand());
    factory.addCommand("CDUP", new CdupCommand());
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
    factory.addCommand("ALLO", new AlloCommand());
    factory.addCommand("STAT", new StatCommand(new PathStatusCommand(clock).countedIn(inFlight)));

    factory.addCommand("USER", new USER());
    factory.addCommand("PASS", new PASS());
    factory.addCommand("ACCT", new ACCT());
    factory.addCommand("AUTH", new AuthCommand());
    factory.addCommand("PBSZ", new PBSZ());
    factory.addCommand("PROT", new PROT());
    factory.addCommand("PASV", new KeepsRestMarker(new PASV()));
    factory.addCommand("EPSV", new KeepsRestMarker(new EPSV()));
    factory.addCommand("PORT", new KeepsRestMarker(new PORT()));
    factory.addCommand("EPRT", new KeepsRestMarker(new EPRT()));
    factory.addCommand("TYPE", new KeepsRestMarker(new TYPE()));
    factory.addCommand("STRU", new KeepsRestMarker(new STRU()));
    factory.addCommand("REST", new REST());
    factory.addCommand("ABOR", new ABOR());
    factory.addCommand("PWD", new PWD());
    factory.addCommand("OPTS", new OptsCommand());
    factory.addCommand("HASH", new HashCommand());
    factory.addCommand("NOOP", new NOOP());
    factory.addCommand("REIN", new REIN());
    factory.addCommand("QUIT", new QUIT());
    Set<String> answered = new TreeSet<>(factory.getCommandMap().keySet());
    answered.add("HELP");
    factory.addCommand("HELP", new HelpCommand(answered));

    factory.addCommand("CUP", new CdupCommand()); // XCUP: FtpServer drops the X of every command
    factory.addCommand("STOU", new RefusedCommand("STOU is not supported: name the file with STOR"));
    // XSHA256, XSHA1, XMD5: FtpServer drops the X, and MD5 is also draft-twine-ftpmd5's command.
    factory.addCommand("SHA256", DigestCommand.legacy(ChecksumAlgorithm.SHA_256, "XSHA256"));
    factory.addCommand("SHA1", DigestCommand.legacy(ChecksumAlgorithm.SHA_1, "XSHA1"));
    factory.addCommand("MD5", new Md5Commands(DigestCommand.legacy(ChecksumAlgorithm.MD5, "XMD5").countedIn(inFlight),
        DigestCommand.md5Draft().countedIn(inFlight)));
    factory.addCommand("MMD5", new RefusedCommand("MMD5 is not supported: ask for one file at a time with HASH"));
    factory.addCommand("LANG", new RefusedCommand("LANG is not supported: replies are in English"));
    factory.addCommand("SITE", new RefusedCommand("SITE commands are not supported"));
    CommandFactory known = factory.createCommandFactory();
    Command unknown = new UnknownCommand();
    return name -> {
      Command command = known.getCommand(name);
      return command != null ? command : unknown;
    };
  }
}
